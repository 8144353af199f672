from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_area_profile_chart_level import (
    GetAreaProfileChartLevel,
)
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response, Unset


def _get_kwargs(
    kind: str,
    *,
    level: GetAreaProfileChartLevel | Unset = "ward",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = level

    params["level"] = json_level

    json_from_: None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/areas/profile.{kind}".format(
            kind=quote(str(kind), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.content)
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
) -> Response[ProblemDetail | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    kind: str,
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileChartLevel | Unset = "ward",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> Response[ProblemDetail | str]:
    """Get Area Profile Chart

     Areas ranked by events per 1,000 residents over the months, as SVG or PNG.

    Args:
        kind (str):
        level (GetAreaProfileChartLevel | Unset):  Default: 'ward'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | str]
    """

    kwargs = _get_kwargs(
        kind=kind,
        level=level,
        from_=from_,
        to=to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    kind: str,
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileChartLevel | Unset = "ward",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> ProblemDetail | str | None:
    """Get Area Profile Chart

     Areas ranked by events per 1,000 residents over the months, as SVG or PNG.

    Args:
        kind (str):
        level (GetAreaProfileChartLevel | Unset):  Default: 'ward'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | str
    """

    return sync_detailed(
        kind=kind,
        client=client,
        level=level,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    kind: str,
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileChartLevel | Unset = "ward",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> Response[ProblemDetail | str]:
    """Get Area Profile Chart

     Areas ranked by events per 1,000 residents over the months, as SVG or PNG.

    Args:
        kind (str):
        level (GetAreaProfileChartLevel | Unset):  Default: 'ward'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | str]
    """

    kwargs = _get_kwargs(
        kind=kind,
        level=level,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    kind: str,
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileChartLevel | Unset = "ward",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> ProblemDetail | str | None:
    """Get Area Profile Chart

     Areas ranked by events per 1,000 residents over the months, as SVG or PNG.

    Args:
        kind (str):
        level (GetAreaProfileChartLevel | Unset):  Default: 'ward'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | str
    """

    return (
        await asyncio_detailed(
            kind=kind,
            client=client,
            level=level,
            from_=from_,
            to=to,
        )
    ).parsed
