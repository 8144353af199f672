from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_detail import ProblemDetail
from ...models.scorer_list_security_events_kind_type_0 import (
    ScorerListSecurityEventsKindType0,
)
from ...models.security_event_page import SecurityEventPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: int | Unset = 0,
    limit: int | Unset = 200,
    kind: None | ScorerListSecurityEventsKindType0 | Unset = UNSET,
    sub: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["after"] = after

    params["limit"] = limit

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, str):
        json_kind = kind
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_sub: None | str | Unset
    if isinstance(sub, Unset):
        json_sub = UNSET
    else:
        json_sub = sub
    params["sub"] = json_sub

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/security-events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | SecurityEventPage | None:
    if response.status_code == 200:
        response_200 = SecurityEventPage.from_dict(response.json())

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
) -> Response[ProblemDetail | SecurityEventPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 200,
    kind: None | ScorerListSecurityEventsKindType0 | Unset = UNSET,
    sub: None | str | Unset = UNSET,
) -> Response[ProblemDetail | SecurityEventPage]:
    """List Security Events

     The slice's security events in order, from ``after`` (a seq), of one ``kind`` or
    one caller (``sub``) if asked. Auditors, DPOs and admins see all; a partner sees
    those about its own data.

    Args:
        after (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 200.
        kind (None | ScorerListSecurityEventsKindType0 | Unset):
        sub (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SecurityEventPage]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        kind=kind,
        sub=sub,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 200,
    kind: None | ScorerListSecurityEventsKindType0 | Unset = UNSET,
    sub: None | str | Unset = UNSET,
) -> ProblemDetail | SecurityEventPage | None:
    """List Security Events

     The slice's security events in order, from ``after`` (a seq), of one ``kind`` or
    one caller (``sub``) if asked. Auditors, DPOs and admins see all; a partner sees
    those about its own data.

    Args:
        after (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 200.
        kind (None | ScorerListSecurityEventsKindType0 | Unset):
        sub (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SecurityEventPage
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        kind=kind,
        sub=sub,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 200,
    kind: None | ScorerListSecurityEventsKindType0 | Unset = UNSET,
    sub: None | str | Unset = UNSET,
) -> Response[ProblemDetail | SecurityEventPage]:
    """List Security Events

     The slice's security events in order, from ``after`` (a seq), of one ``kind`` or
    one caller (``sub``) if asked. Auditors, DPOs and admins see all; a partner sees
    those about its own data.

    Args:
        after (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 200.
        kind (None | ScorerListSecurityEventsKindType0 | Unset):
        sub (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SecurityEventPage]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        kind=kind,
        sub=sub,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 200,
    kind: None | ScorerListSecurityEventsKindType0 | Unset = UNSET,
    sub: None | str | Unset = UNSET,
) -> ProblemDetail | SecurityEventPage | None:
    """List Security Events

     The slice's security events in order, from ``after`` (a seq), of one ``kind`` or
    one caller (``sub``) if asked. Auditors, DPOs and admins see all; a partner sees
    those about its own data.

    Args:
        after (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 200.
        kind (None | ScorerListSecurityEventsKindType0 | Unset):
        sub (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SecurityEventPage
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            kind=kind,
            sub=sub,
        )
    ).parsed
