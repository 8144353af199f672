from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dataset_fields import DatasetFields
from ...models.dataset_out import DatasetOut
from ...models.problem_detail import ProblemDetail
from ...types import Response


def _get_kwargs(
    dataset_id: str,
    *,
    body: DatasetFields,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/registry/datasets/{dataset_id}".format(
            dataset_id=quote(str(dataset_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | DatasetOut | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = DatasetOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = cast(Any, None)
        return response_201

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
) -> Response[Any | DatasetOut | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: DatasetFields,
) -> Response[Any | DatasetOut | ProblemDetail]:
    """Put Dataset

     Create or replace a dataset and its codes. A code left out is retired (refused in
    new uploads, its events kept); a changed category re-scores what is held.

    Args:
        dataset_id (str):
        body (DatasetFields): A partner's dataset. `level`: person (each row a person) or property
            (each row an
            address: police call-outs). `one_record_per_person`: the partner vouches each person
            appears once (a practice's registered list), so two of its records are never linked to
            one person. `agreement`: the data-sharing agreement its data arrives under (none: no
            uploads). Codes left out of a replacement are retired.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DatasetOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: DatasetFields,
) -> Any | DatasetOut | ProblemDetail | None:
    """Put Dataset

     Create or replace a dataset and its codes. A code left out is retired (refused in
    new uploads, its events kept); a changed category re-scores what is held.

    Args:
        dataset_id (str):
        body (DatasetFields): A partner's dataset. `level`: person (each row a person) or property
            (each row an
            address: police call-outs). `one_record_per_person`: the partner vouches each person
            appears once (a practice's registered list), so two of its records are never linked to
            one person. `agreement`: the data-sharing agreement its data arrives under (none: no
            uploads). Codes left out of a replacement are retired.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DatasetOut | ProblemDetail
    """

    return sync_detailed(
        dataset_id=dataset_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: DatasetFields,
) -> Response[Any | DatasetOut | ProblemDetail]:
    """Put Dataset

     Create or replace a dataset and its codes. A code left out is retired (refused in
    new uploads, its events kept); a changed category re-scores what is held.

    Args:
        dataset_id (str):
        body (DatasetFields): A partner's dataset. `level`: person (each row a person) or property
            (each row an
            address: police call-outs). `one_record_per_person`: the partner vouches each person
            appears once (a practice's registered list), so two of its records are never linked to
            one person. `agreement`: the data-sharing agreement its data arrives under (none: no
            uploads). Codes left out of a replacement are retired.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DatasetOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        dataset_id=dataset_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dataset_id: str,
    *,
    client: AuthenticatedClient,
    body: DatasetFields,
) -> Any | DatasetOut | ProblemDetail | None:
    """Put Dataset

     Create or replace a dataset and its codes. A code left out is retired (refused in
    new uploads, its events kept); a changed category re-scores what is held.

    Args:
        dataset_id (str):
        body (DatasetFields): A partner's dataset. `level`: person (each row a person) or property
            (each row an
            address: police call-outs). `one_record_per_person`: the partner vouches each person
            appears once (a practice's registered list), so two of its records are never linked to
            one person. `agreement`: the data-sharing agreement its data arrives under (none: no
            uploads). Codes left out of a replacement are retired.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DatasetOut | ProblemDetail
    """

    return (
        await asyncio_detailed(
            dataset_id=dataset_id,
            client=client,
            body=body,
        )
    ).parsed
