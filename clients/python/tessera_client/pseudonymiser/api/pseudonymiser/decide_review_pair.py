from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_detail import ProblemDetail
from ...models.review_decision import ReviewDecision
from ...models.review_outcome import ReviewOutcome
from ...types import Response


def _get_kwargs(
    pair_id: str,
    *,
    body: ReviewDecision,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/review/{pair_id}".format(
            pair_id=quote(str(pair_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | ReviewOutcome | None:
    if response.status_code == 200:
        response_200 = ReviewOutcome.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ProblemDetail.from_dict(response.json())

        return response_413

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
) -> Response[ProblemDetail | ReviewOutcome]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    pair_id: str,
    *,
    client: AuthenticatedClient,
    body: ReviewDecision,
) -> Response[ProblemDetail | ReviewOutcome]:
    """Decide Review Pair

     Decide a pair. A match merges the two persons, a non-match splits them; the
    decision binds every later linkage and re-link. Deciding again replaces it.

    Args:
        pair_id (str):
        body (ReviewDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | ReviewOutcome]
    """

    kwargs = _get_kwargs(
        pair_id=pair_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    pair_id: str,
    *,
    client: AuthenticatedClient,
    body: ReviewDecision,
) -> ProblemDetail | ReviewOutcome | None:
    """Decide Review Pair

     Decide a pair. A match merges the two persons, a non-match splits them; the
    decision binds every later linkage and re-link. Deciding again replaces it.

    Args:
        pair_id (str):
        body (ReviewDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | ReviewOutcome
    """

    return sync_detailed(
        pair_id=pair_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    pair_id: str,
    *,
    client: AuthenticatedClient,
    body: ReviewDecision,
) -> Response[ProblemDetail | ReviewOutcome]:
    """Decide Review Pair

     Decide a pair. A match merges the two persons, a non-match splits them; the
    decision binds every later linkage and re-link. Deciding again replaces it.

    Args:
        pair_id (str):
        body (ReviewDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | ReviewOutcome]
    """

    kwargs = _get_kwargs(
        pair_id=pair_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    pair_id: str,
    *,
    client: AuthenticatedClient,
    body: ReviewDecision,
) -> ProblemDetail | ReviewOutcome | None:
    """Decide Review Pair

     Decide a pair. A match merges the two persons, a non-match splits them; the
    decision binds every later linkage and re-link. Deciding again replaces it.

    Args:
        pair_id (str):
        body (ReviewDecision):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | ReviewOutcome
    """

    return (
        await asyncio_detailed(
            pair_id=pair_id,
            client=client,
            body=body,
        )
    ).parsed
