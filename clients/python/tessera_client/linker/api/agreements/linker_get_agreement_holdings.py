from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.holdings import Holdings
from ...models.problem_detail import ProblemDetail
from ...types import Response


def _get_kwargs(
    agreement: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agreements/{agreement}/holdings".format(
            agreement=quote(str(agreement), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Holdings | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = Holdings.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = ProblemDetail.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Holdings | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agreement: str,
    *,
    client: AuthenticatedClient,
) -> Response[Holdings | ProblemDetail]:
    """Get Agreement Holdings

     What this slice holds under one agreement: counts only.

    Args:
        agreement (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Holdings | ProblemDetail]
    """

    kwargs = _get_kwargs(
        agreement=agreement,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agreement: str,
    *,
    client: AuthenticatedClient,
) -> Holdings | ProblemDetail | None:
    """Get Agreement Holdings

     What this slice holds under one agreement: counts only.

    Args:
        agreement (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Holdings | ProblemDetail
    """

    return sync_detailed(
        agreement=agreement,
        client=client,
    ).parsed


async def asyncio_detailed(
    agreement: str,
    *,
    client: AuthenticatedClient,
) -> Response[Holdings | ProblemDetail]:
    """Get Agreement Holdings

     What this slice holds under one agreement: counts only.

    Args:
        agreement (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Holdings | ProblemDetail]
    """

    kwargs = _get_kwargs(
        agreement=agreement,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agreement: str,
    *,
    client: AuthenticatedClient,
) -> Holdings | ProblemDetail | None:
    """Get Agreement Holdings

     What this slice holds under one agreement: counts only.

    Args:
        agreement (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Holdings | ProblemDetail
    """

    return (
        await asyncio_detailed(
            agreement=agreement,
            client=client,
        )
    ).parsed
