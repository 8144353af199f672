from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.learning_job import LearningJob
from ...models.problem_detail import ProblemDetail
from ...models.train_request import TrainRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: None | TrainRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/linkage/model/train",
    }

    if isinstance(body, TrainRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LearningJob | ProblemDetail | None:
    if response.status_code == 202:
        response_202 = LearningJob.from_dict(response.json())

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
) -> Response[LearningJob | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: None | TrainRequest | Unset = UNSET,
) -> Response[LearningJob | ProblemDetail]:
    """Train Linkage Model

     Train a model on the held records now, check it, and use it and re-link if it
    passes (with `force`, even if not). Linkage goes on meanwhile; follow it with
    GET /v1/linkage/model.

    Args:
        body (None | TrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LearningJob | ProblemDetail]
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
    body: None | TrainRequest | Unset = UNSET,
) -> LearningJob | ProblemDetail | None:
    """Train Linkage Model

     Train a model on the held records now, check it, and use it and re-link if it
    passes (with `force`, even if not). Linkage goes on meanwhile; follow it with
    GET /v1/linkage/model.

    Args:
        body (None | TrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LearningJob | ProblemDetail
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: None | TrainRequest | Unset = UNSET,
) -> Response[LearningJob | ProblemDetail]:
    """Train Linkage Model

     Train a model on the held records now, check it, and use it and re-link if it
    passes (with `force`, even if not). Linkage goes on meanwhile; follow it with
    GET /v1/linkage/model.

    Args:
        body (None | TrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LearningJob | ProblemDetail]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: None | TrainRequest | Unset = UNSET,
) -> LearningJob | ProblemDetail | None:
    """Train Linkage Model

     Train a model on the held records now, check it, and use it and re-link if it
    passes (with `force`, even if not). Linkage goes on meanwhile; follow it with
    GET /v1/linkage/model.

    Args:
        body (None | TrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LearningJob | ProblemDetail
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
