from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_detail import ProblemDetail
from ...models.receipt import Receipt
from ...types import UNSET, Response, Unset


def _get_kwargs(
    agreement_id: str,
    *,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agreements/{agreement_id}/receipts".format(
            agreement_id=quote(str(agreement_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | list[Receipt] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Receipt.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetail | list[Receipt]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> Response[ProblemDetail | list[Receipt]]:
    """List Agreement Receipts

     The slices' signed receipts of what they deleted when the agreement ended: one per
    slice, counts by kind (dead letters included). Each signature is over the canonical
    JSON of the other fields, by the slice's events key (kid).

    Args:
        agreement_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | list[Receipt]]
    """

    kwargs = _get_kwargs(
        agreement_id=agreement_id,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> ProblemDetail | list[Receipt] | None:
    """List Agreement Receipts

     The slices' signed receipts of what they deleted when the agreement ended: one per
    slice, counts by kind (dead letters included). Each signature is over the canonical
    JSON of the other fields, by the slice's events key (kid).

    Args:
        agreement_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | list[Receipt]
    """

    return sync_detailed(
        agreement_id=agreement_id,
        client=client,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> Response[ProblemDetail | list[Receipt]]:
    """List Agreement Receipts

     The slices' signed receipts of what they deleted when the agreement ended: one per
    slice, counts by kind (dead letters included). Each signature is over the canonical
    JSON of the other fields, by the slice's events key (kid).

    Args:
        agreement_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | list[Receipt]]
    """

    kwargs = _get_kwargs(
        agreement_id=agreement_id,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> ProblemDetail | list[Receipt] | None:
    """List Agreement Receipts

     The slices' signed receipts of what they deleted when the agreement ended: one per
    slice, counts by kind (dead letters included). Each signature is over the canonical
    JSON of the other fields, by the slice's events key (kid).

    Args:
        agreement_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | list[Receipt]
    """

    return (
        await asyncio_detailed(
            agreement_id=agreement_id,
            client=client,
            limit=limit,
        )
    ).parsed
