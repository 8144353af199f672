from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.decision_list import DecisionList
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response


def _get_kwargs(
    *,
    pseudonym: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["pseudonym"] = pseudonym

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/decisions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DecisionList | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = DecisionList.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = ProblemDetail.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DecisionList | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    pseudonym: str,
) -> Response[DecisionList | ProblemDetail]:
    """List Decisions

     A person's decisions, for whoever may decide for them.

    Args:
        pseudonym (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DecisionList | ProblemDetail]
    """

    kwargs = _get_kwargs(
        pseudonym=pseudonym,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    pseudonym: str,
) -> DecisionList | ProblemDetail | None:
    """List Decisions

     A person's decisions, for whoever may decide for them.

    Args:
        pseudonym (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DecisionList | ProblemDetail
    """

    return sync_detailed(
        client=client,
        pseudonym=pseudonym,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    pseudonym: str,
) -> Response[DecisionList | ProblemDetail]:
    """List Decisions

     A person's decisions, for whoever may decide for them.

    Args:
        pseudonym (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DecisionList | ProblemDetail]
    """

    kwargs = _get_kwargs(
        pseudonym=pseudonym,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    pseudonym: str,
) -> DecisionList | ProblemDetail | None:
    """List Decisions

     A person's decisions, for whoever may decide for them.

    Args:
        pseudonym (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DecisionList | ProblemDetail
    """

    return (
        await asyncio_detailed(
            client=client,
            pseudonym=pseudonym,
        )
    ).parsed
