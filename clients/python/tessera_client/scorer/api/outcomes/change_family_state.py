from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.family import Family
from ...models.problem_detail import ProblemDetail
from ...models.state_change import StateChange
from ...types import Response


def _get_kwargs(
    rule_id: str,
    pseudonym: str,
    *,
    body: StateChange,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/outcomes/{rule_id}/families/{pseudonym}/state".format(
            rule_id=quote(str(rule_id), safe=""),
            pseudonym=quote(str(pseudonym), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Family | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = Family.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ProblemDetail.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ProblemDetail.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Family | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    rule_id: str,
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    body: StateChange,
) -> Response[Family | ProblemDetail]:
    """Change Family State

     Move a family on, as the state's owner: the co-ordinator attaches a keyworker (their
    token subject), claims and closes; the co-ordinator or the family's keyworker marks it
    in progress or claim pending. Recorded with who and when.

    Args:
        rule_id (str):
        pseudonym (str):
        body (StateChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Family | ProblemDetail]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        pseudonym=pseudonym,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    rule_id: str,
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    body: StateChange,
) -> Family | ProblemDetail | None:
    """Change Family State

     Move a family on, as the state's owner: the co-ordinator attaches a keyworker (their
    token subject), claims and closes; the co-ordinator or the family's keyworker marks it
    in progress or claim pending. Recorded with who and when.

    Args:
        rule_id (str):
        pseudonym (str):
        body (StateChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Family | ProblemDetail
    """

    return sync_detailed(
        rule_id=rule_id,
        pseudonym=pseudonym,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    rule_id: str,
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    body: StateChange,
) -> Response[Family | ProblemDetail]:
    """Change Family State

     Move a family on, as the state's owner: the co-ordinator attaches a keyworker (their
    token subject), claims and closes; the co-ordinator or the family's keyworker marks it
    in progress or claim pending. Recorded with who and when.

    Args:
        rule_id (str):
        pseudonym (str):
        body (StateChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Family | ProblemDetail]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        pseudonym=pseudonym,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    rule_id: str,
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    body: StateChange,
) -> Family | ProblemDetail | None:
    """Change Family State

     Move a family on, as the state's owner: the co-ordinator attaches a keyworker (their
    token subject), claims and closes; the co-ordinator or the family's keyworker marks it
    in progress or claim pending. Recorded with who and when.

    Args:
        rule_id (str):
        pseudonym (str):
        body (StateChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Family | ProblemDetail
    """

    return (
        await asyncio_detailed(
            rule_id=rule_id,
            pseudonym=pseudonym,
            client=client,
            body=body,
        )
    ).parsed
