from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.journey_overview import JourneyOverview
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response, Unset


def _get_kwargs(
    rule_id: str,
    *,
    limit: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/outcomes/{rule_id}/journey".format(
            rule_id=quote(str(rule_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> JourneyOverview | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = JourneyOverview.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ProblemDetail.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProblemDetail.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetail.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetail.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ProblemDetail.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[JourneyOverview | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    rule_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
) -> Response[JourneyOverview | ProblemDetail]:
    """Get Journey

     The co-ordinator's view of a cohort (their districts, where the token names any):
    families per state, the measures claimed most and least, the families closest to a
    claim and the most complex.

    Args:
        rule_id (str):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JourneyOverview | ProblemDetail]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    rule_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
) -> JourneyOverview | ProblemDetail | None:
    """Get Journey

     The co-ordinator's view of a cohort (their districts, where the token names any):
    families per state, the measures claimed most and least, the families closest to a
    claim and the most complex.

    Args:
        rule_id (str):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JourneyOverview | ProblemDetail
    """

    return sync_detailed(
        rule_id=rule_id,
        client=client,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    rule_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
) -> Response[JourneyOverview | ProblemDetail]:
    """Get Journey

     The co-ordinator's view of a cohort (their districts, where the token names any):
    families per state, the measures claimed most and least, the families closest to a
    claim and the most complex.

    Args:
        rule_id (str):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JourneyOverview | ProblemDetail]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    rule_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
) -> JourneyOverview | ProblemDetail | None:
    """Get Journey

     The co-ordinator's view of a cohort (their districts, where the token names any):
    families per state, the measures claimed most and least, the families closest to a
    claim and the most complex.

    Args:
        rule_id (str):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JourneyOverview | ProblemDetail
    """

    return (
        await asyncio_detailed(
            rule_id=rule_id,
            client=client,
            limit=limit,
        )
    ).parsed
