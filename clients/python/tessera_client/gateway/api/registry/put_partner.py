from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.partner_fields import PartnerFields
from ...models.partner_out import PartnerOut
from ...models.problem_detail import ProblemDetail
from ...types import Response


def _get_kwargs(
    partner_id: str,
    *,
    body: PartnerFields,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/registry/partners/{partner_id}".format(
            partner_id=quote(str(partner_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PartnerOut | ProblemDetail | None:
    if response.status_code == 200:
        response_200 = PartnerOut.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | PartnerOut | ProblemDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    partner_id: str,
    *,
    client: AuthenticatedClient,
    body: PartnerFields,
) -> Response[Any | PartnerOut | ProblemDetail]:
    """Put Partner

     Register or rename a partner (role `admin`); 201 when it is new.

    Args:
        partner_id (str):
        body (PartnerFields):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PartnerOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        partner_id=partner_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    partner_id: str,
    *,
    client: AuthenticatedClient,
    body: PartnerFields,
) -> Any | PartnerOut | ProblemDetail | None:
    """Put Partner

     Register or rename a partner (role `admin`); 201 when it is new.

    Args:
        partner_id (str):
        body (PartnerFields):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PartnerOut | ProblemDetail
    """

    return sync_detailed(
        partner_id=partner_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    partner_id: str,
    *,
    client: AuthenticatedClient,
    body: PartnerFields,
) -> Response[Any | PartnerOut | ProblemDetail]:
    """Put Partner

     Register or rename a partner (role `admin`); 201 when it is new.

    Args:
        partner_id (str):
        body (PartnerFields):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PartnerOut | ProblemDetail]
    """

    kwargs = _get_kwargs(
        partner_id=partner_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    partner_id: str,
    *,
    client: AuthenticatedClient,
    body: PartnerFields,
) -> Any | PartnerOut | ProblemDetail | None:
    """Put Partner

     Register or rename a partner (role `admin`); 201 when it is new.

    Args:
        partner_id (str):
        body (PartnerFields):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PartnerOut | ProblemDetail
    """

    return (
        await asyncio_detailed(
            partner_id=partner_id,
            client=client,
            body=body,
        )
    ).parsed
