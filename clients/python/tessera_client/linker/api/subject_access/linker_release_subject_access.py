from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_detail import ProblemDetail
from ...models.subject_access_release import SubjectAccessRelease
from ...types import UNSET, Response


def _get_kwargs(
    pseudonym: str,
    *,
    case: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["case"] = case

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/subject-access/{pseudonym}".format(
            pseudonym=quote(str(pseudonym), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | SubjectAccessRelease | None:
    if response.status_code == 200:
        response_200 = SubjectAccessRelease.from_dict(response.json())

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
) -> Response[ProblemDetail | SubjectAccessRelease]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    case: str,
) -> Response[ProblemDetail | SubjectAccessRelease]:
    """Release Subject Access

     Everything this slice holds about one person pseudonym, for an open subject access
    case (role `dpo`); the release is in the access log before it is answered.

    Args:
        pseudonym (str):
        case (str): The open subject access case this serves

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SubjectAccessRelease]
    """

    kwargs = _get_kwargs(
        pseudonym=pseudonym,
        case=case,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    case: str,
) -> ProblemDetail | SubjectAccessRelease | None:
    """Release Subject Access

     Everything this slice holds about one person pseudonym, for an open subject access
    case (role `dpo`); the release is in the access log before it is answered.

    Args:
        pseudonym (str):
        case (str): The open subject access case this serves

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SubjectAccessRelease
    """

    return sync_detailed(
        pseudonym=pseudonym,
        client=client,
        case=case,
    ).parsed


async def asyncio_detailed(
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    case: str,
) -> Response[ProblemDetail | SubjectAccessRelease]:
    """Release Subject Access

     Everything this slice holds about one person pseudonym, for an open subject access
    case (role `dpo`); the release is in the access log before it is answered.

    Args:
        pseudonym (str):
        case (str): The open subject access case this serves

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | SubjectAccessRelease]
    """

    kwargs = _get_kwargs(
        pseudonym=pseudonym,
        case=case,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    pseudonym: str,
    *,
    client: AuthenticatedClient,
    case: str,
) -> ProblemDetail | SubjectAccessRelease | None:
    """Release Subject Access

     Everything this slice holds about one person pseudonym, for an open subject access
    case (role `dpo`); the release is in the access log before it is answered.

    Args:
        pseudonym (str):
        case (str): The open subject access case this serves

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | SubjectAccessRelease
    """

    return (
        await asyncio_detailed(
            pseudonym=pseudonym,
            client=client,
            case=case,
        )
    ).parsed
