from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agreement_out import AgreementOut
from ...models.end_body import EndBody
from ...models.problem_detail import ProblemDetail
from ...types import UNSET, Response, Unset


def _get_kwargs(
    agreement_id: str,
    *,
    body: EndBody | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/agreements/{agreement_id}/end".format(
            agreement_id=quote(str(agreement_id), safe=""),
        ),
    }

    if isinstance(body, EndBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgreementOut | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = AgreementOut.from_dict(response.json())

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
) -> Response[AgreementOut | ProblemDetail]:
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
    body: EndBody | None | Unset = UNSET,
) -> Response[AgreementOut | ProblemDetail]:
    """End Agreement

     End an agreement (role `admin`): no more uploads under it, and each slice's retention
    applies to what it holds.

    Args:
        agreement_id (str):
        body (EndBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgreementOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        agreement_id=agreement_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    body: EndBody | None | Unset = UNSET,
) -> AgreementOut | ProblemDetail | None:
    """End Agreement

     End an agreement (role `admin`): no more uploads under it, and each slice's retention
    applies to what it holds.

    Args:
        agreement_id (str):
        body (EndBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgreementOut | ProblemDetail
    """

    return sync_detailed(
        agreement_id=agreement_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    body: EndBody | None | Unset = UNSET,
) -> Response[AgreementOut | ProblemDetail]:
    """End Agreement

     End an agreement (role `admin`): no more uploads under it, and each slice's retention
    applies to what it holds.

    Args:
        agreement_id (str):
        body (EndBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgreementOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        agreement_id=agreement_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agreement_id: str,
    *,
    client: AuthenticatedClient,
    body: EndBody | None | Unset = UNSET,
) -> AgreementOut | ProblemDetail | None:
    """End Agreement

     End an agreement (role `admin`): no more uploads under it, and each slice's retention
    applies to what it holds.

    Args:
        agreement_id (str):
        body (EndBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgreementOut | ProblemDetail
    """

    return (
        await asyncio_detailed(
            agreement_id=agreement_id,
            client=client,
            body=body,
        )
    ).parsed
