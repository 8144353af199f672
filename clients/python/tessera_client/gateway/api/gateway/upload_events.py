from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.batch_receipt import BatchReceipt
from ...models.event_upload import EventUpload
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    dataset: str,
    *,
    body: EventUpload | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets/{dataset}/events".format(
            dataset=quote(str(dataset), safe=""),
        ),
    }

    if isinstance(body, EventUpload):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "text/csv"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchReceipt | ProblemDetail | None:
    if response.status_code == 202:
        response_202 = BatchReceipt.from_dict(response.json())

        return response_202

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

    if response.status_code == 415:
        response_415 = ProblemDetail.from_dict(response.json())

        return response_415

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
) -> Response[BatchReceipt | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset: str,
    *,
    client: AuthenticatedClient,
    body: EventUpload | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[BatchReceipt | ProblemDetail]:
    """Upload events

     Send a batch of events, each by one of the dataset's codes to one of the calling partner's datasets
    (scope `ingest`), as JSON or CSV. Every row is checked on its own: the receipt counts the rows
    accepted and names each rejected row by its index and field, never echoing a value. An `Idempotency-
    Key` makes a retry safe: the same key and body replay the receipt, the same key with another body is
    refused with 409.

    Args:
        dataset (str):
        idempotency_key (None | str | Unset):
        body (EventUpload): An events upload as JSON (the same rows may be sent as text/csv).
        body (File): A header row naming the same fields as the JSON rows, then one row per
            record; UTF-8 unless a charset is given

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchReceipt | ProblemDetail]
    """

    kwargs = _get_kwargs(
        dataset=dataset,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dataset: str,
    *,
    client: AuthenticatedClient,
    body: EventUpload | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> BatchReceipt | ProblemDetail | None:
    """Upload events

     Send a batch of events, each by one of the dataset's codes to one of the calling partner's datasets
    (scope `ingest`), as JSON or CSV. Every row is checked on its own: the receipt counts the rows
    accepted and names each rejected row by its index and field, never echoing a value. An `Idempotency-
    Key` makes a retry safe: the same key and body replay the receipt, the same key with another body is
    refused with 409.

    Args:
        dataset (str):
        idempotency_key (None | str | Unset):
        body (EventUpload): An events upload as JSON (the same rows may be sent as text/csv).
        body (File): A header row naming the same fields as the JSON rows, then one row per
            record; UTF-8 unless a charset is given

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchReceipt | ProblemDetail
    """

    return sync_detailed(
        dataset=dataset,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    dataset: str,
    *,
    client: AuthenticatedClient,
    body: EventUpload | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[BatchReceipt | ProblemDetail]:
    """Upload events

     Send a batch of events, each by one of the dataset's codes to one of the calling partner's datasets
    (scope `ingest`), as JSON or CSV. Every row is checked on its own: the receipt counts the rows
    accepted and names each rejected row by its index and field, never echoing a value. An `Idempotency-
    Key` makes a retry safe: the same key and body replay the receipt, the same key with another body is
    refused with 409.

    Args:
        dataset (str):
        idempotency_key (None | str | Unset):
        body (EventUpload): An events upload as JSON (the same rows may be sent as text/csv).
        body (File): A header row naming the same fields as the JSON rows, then one row per
            record; UTF-8 unless a charset is given

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchReceipt | ProblemDetail]
    """

    kwargs = _get_kwargs(
        dataset=dataset,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dataset: str,
    *,
    client: AuthenticatedClient,
    body: EventUpload | File | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> BatchReceipt | ProblemDetail | None:
    """Upload events

     Send a batch of events, each by one of the dataset's codes to one of the calling partner's datasets
    (scope `ingest`), as JSON or CSV. Every row is checked on its own: the receipt counts the rows
    accepted and names each rejected row by its index and field, never echoing a value. An `Idempotency-
    Key` makes a retry safe: the same key and body replay the receipt, the same key with another body is
    refused with 409.

    Args:
        dataset (str):
        idempotency_key (None | str | Unset):
        body (EventUpload): An events upload as JSON (the same rows may be sent as text/csv).
        body (File): A header row naming the same fields as the JSON rows, then one row per
            record; UTF-8 unless a charset is given

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchReceipt | ProblemDetail
    """

    return (
        await asyncio_detailed(
            dataset=dataset,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
