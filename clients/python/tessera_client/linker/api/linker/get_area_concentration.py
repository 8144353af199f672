from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.concentration_profile import ConcentrationProfile
from ...models.get_area_concentration_level import (
    GetAreaConcentrationLevel,
)
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    level: GetAreaConcentrationLevel | Unset = "locality",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = level

    params["level"] = json_level

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/areas/concentration",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ConcentrationProfile | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = ConcentrationProfile.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ProblemDetail.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = ProblemDetail.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ConcentrationProfile | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    level: GetAreaConcentrationLevel | Unset = "locality",
) -> Response[ConcentrationProfile | ProblemDetail]:
    """Get Area Concentration

     How concentrated demand is over all residents ('x% of residents account for y% of
    demand', the Lorenz curve, the Gini coefficient), overall and per area.

    Args:
        level (GetAreaConcentrationLevel | Unset):  Default: 'locality'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConcentrationProfile | ProblemDetail]
    """

    kwargs = _get_kwargs(
        level=level,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    level: GetAreaConcentrationLevel | Unset = "locality",
) -> ConcentrationProfile | ProblemDetail | None:
    """Get Area Concentration

     How concentrated demand is over all residents ('x% of residents account for y% of
    demand', the Lorenz curve, the Gini coefficient), overall and per area.

    Args:
        level (GetAreaConcentrationLevel | Unset):  Default: 'locality'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConcentrationProfile | ProblemDetail
    """

    return sync_detailed(
        client=client,
        level=level,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    level: GetAreaConcentrationLevel | Unset = "locality",
) -> Response[ConcentrationProfile | ProblemDetail]:
    """Get Area Concentration

     How concentrated demand is over all residents ('x% of residents account for y% of
    demand', the Lorenz curve, the Gini coefficient), overall and per area.

    Args:
        level (GetAreaConcentrationLevel | Unset):  Default: 'locality'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConcentrationProfile | ProblemDetail]
    """

    kwargs = _get_kwargs(
        level=level,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    level: GetAreaConcentrationLevel | Unset = "locality",
) -> ConcentrationProfile | ProblemDetail | None:
    """Get Area Concentration

     How concentrated demand is over all residents ('x% of residents account for y% of
    demand', the Lorenz curve, the Gini coefficient), overall and per area.

    Args:
        level (GetAreaConcentrationLevel | Unset):  Default: 'locality'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConcentrationProfile | ProblemDetail
    """

    return (
        await asyncio_detailed(
            client=client,
            level=level,
        )
    ).parsed
