from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_detail import ProblemDetail
from ...models.subject_matches import SubjectMatches
from ...models.subject_query import SubjectQuery
from ...types import Response


def _get_kwargs(
    *,
    body: SubjectQuery,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/subject-access/search",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | SubjectMatches | None:
    if response.status_code == 200:
        response_200 = SubjectMatches.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ProblemDetail.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ProblemDetail.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ProblemDetail.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ProblemDetail.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetail | SubjectMatches]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: SubjectQuery,
) -> Response[ProblemDetail | SubjectMatches]:
    """Find Subject

     The person pseudonyms whose records match (family name and date of birth, and the
    given name's first token and postcode when given), for an open subject access case
    (role `dpo`; the search is in the access log first); then ask each slice for
    /v1/subject-access/{pseudonym}.

    Args:
        body (SubjectQuery):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SubjectMatches]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: SubjectQuery,
) -> ProblemDetail | SubjectMatches | None:
    """Find Subject

     The person pseudonyms whose records match (family name and date of birth, and the
    given name's first token and postcode when given), for an open subject access case
    (role `dpo`; the search is in the access log first); then ask each slice for
    /v1/subject-access/{pseudonym}.

    Args:
        body (SubjectQuery):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SubjectMatches
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: SubjectQuery,
) -> Response[ProblemDetail | SubjectMatches]:
    """Find Subject

     The person pseudonyms whose records match (family name and date of birth, and the
    given name's first token and postcode when given), for an open subject access case
    (role `dpo`; the search is in the access log first); then ask each slice for
    /v1/subject-access/{pseudonym}.

    Args:
        body (SubjectQuery):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SubjectMatches]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: SubjectQuery,
) -> ProblemDetail | SubjectMatches | None:
    """Find Subject

     The person pseudonyms whose records match (family name and date of birth, and the
    given name's first token and postcode when given), for an open subject access case
    (role `dpo`; the search is in the access log first); then ask each slice for
    /v1/subject-access/{pseudonym}.

    Args:
        body (SubjectQuery):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SubjectMatches
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
