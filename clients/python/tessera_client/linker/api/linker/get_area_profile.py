from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.area_profile import AreaProfile
from ...models.get_area_profile_by import GetAreaProfileBy
from ...models.get_area_profile_level import (
    GetAreaProfileLevel,
)
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    level: GetAreaProfileLevel | Unset = "ward",
    by: GetAreaProfileBy | Unset = "none",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_level: str | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = level

    params["level"] = json_level

    json_by: str | Unset = UNSET
    if not isinstance(by, Unset):
        json_by = by

    params["by"] = json_by

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
        "url": "/v1/areas/profile",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AreaProfile | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = AreaProfile.from_dict(response.json())

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
) -> Response[AreaProfile | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileLevel | Unset = "ward",
    by: GetAreaProfileBy | Unset = "none",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> Response[AreaProfile | ProblemDetail]:
    """Get Area Profile

     Events per area (LSOA, ward or locality), by category or headline problem, per month,
    with rates per 1,000 residents; counts that could single anyone out, alone or with any
    other request's, are null (docs/outcomes.md).

    Args:
        level (GetAreaProfileLevel | Unset):  Default: 'ward'.
        by (GetAreaProfileBy | Unset):  Default: 'none'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AreaProfile | ProblemDetail]
    """

    kwargs = _get_kwargs(
        level=level,
        by=by,
        from_=from_,
        to=to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileLevel | Unset = "ward",
    by: GetAreaProfileBy | Unset = "none",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> AreaProfile | ProblemDetail | None:
    """Get Area Profile

     Events per area (LSOA, ward or locality), by category or headline problem, per month,
    with rates per 1,000 residents; counts that could single anyone out, alone or with any
    other request's, are null (docs/outcomes.md).

    Args:
        level (GetAreaProfileLevel | Unset):  Default: 'ward'.
        by (GetAreaProfileBy | Unset):  Default: 'none'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AreaProfile | ProblemDetail
    """

    return sync_detailed(
        client=client,
        level=level,
        by=by,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileLevel | Unset = "ward",
    by: GetAreaProfileBy | Unset = "none",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> Response[AreaProfile | ProblemDetail]:
    """Get Area Profile

     Events per area (LSOA, ward or locality), by category or headline problem, per month,
    with rates per 1,000 residents; counts that could single anyone out, alone or with any
    other request's, are null (docs/outcomes.md).

    Args:
        level (GetAreaProfileLevel | Unset):  Default: 'ward'.
        by (GetAreaProfileBy | Unset):  Default: 'none'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AreaProfile | ProblemDetail]
    """

    kwargs = _get_kwargs(
        level=level,
        by=by,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    level: GetAreaProfileLevel | Unset = "ward",
    by: GetAreaProfileBy | Unset = "none",
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
) -> AreaProfile | ProblemDetail | None:
    """Get Area Profile

     Events per area (LSOA, ward or locality), by category or headline problem, per month,
    with rates per 1,000 residents; counts that could single anyone out, alone or with any
    other request's, are null (docs/outcomes.md).

    Args:
        level (GetAreaProfileLevel | Unset):  Default: 'ward'.
        by (GetAreaProfileBy | Unset):  Default: 'none'.
        from_ (None | str | Unset): A calendar month, YYYY-MM.
        to (None | str | Unset): A calendar month, YYYY-MM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AreaProfile | ProblemDetail
    """

    return (
        await asyncio_detailed(
            client=client,
            level=level,
            by=by,
            from_=from_,
            to=to,
        )
    ).parsed
