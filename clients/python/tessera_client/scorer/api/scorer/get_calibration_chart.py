from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_calibration_chart_kind import (
    GetCalibrationChartKind,
)
from ...models.problem_detail import ProblemDetail
from ...types import Response


def _get_kwargs(
    rule_id: str,
    kind: GetCalibrationChartKind,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/rules/{rule_id}/calibration.{kind}".format(
            rule_id=quote(str(rule_id), safe=""),
            kind=quote(str(kind), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetail | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.content)
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
) -> Response[ProblemDetail | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    rule_id: str,
    kind: GetCalibrationChartKind,
    *,
    client: AuthenticatedClient,
) -> Response[ProblemDetail | str]:
    """Get Calibration Chart

     The calibration as a chart, SVG or PNG: how many each threshold would select, and
    the rule's selection per area, hidden counts marked.

    Args:
        rule_id (str):
        kind (GetCalibrationChartKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | str]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        kind=kind,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    rule_id: str,
    kind: GetCalibrationChartKind,
    *,
    client: AuthenticatedClient,
) -> ProblemDetail | str | None:
    """Get Calibration Chart

     The calibration as a chart, SVG or PNG: how many each threshold would select, and
    the rule's selection per area, hidden counts marked.

    Args:
        rule_id (str):
        kind (GetCalibrationChartKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | str
    """

    return sync_detailed(
        rule_id=rule_id,
        kind=kind,
        client=client,
    ).parsed


async def asyncio_detailed(
    rule_id: str,
    kind: GetCalibrationChartKind,
    *,
    client: AuthenticatedClient,
) -> Response[ProblemDetail | str]:
    """Get Calibration Chart

     The calibration as a chart, SVG or PNG: how many each threshold would select, and
    the rule's selection per area, hidden counts marked.

    Args:
        rule_id (str):
        kind (GetCalibrationChartKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetail | str]
    """

    kwargs = _get_kwargs(
        rule_id=rule_id,
        kind=kind,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    rule_id: str,
    kind: GetCalibrationChartKind,
    *,
    client: AuthenticatedClient,
) -> ProblemDetail | str | None:
    """Get Calibration Chart

     The calibration as a chart, SVG or PNG: how many each threshold would select, and
    the rule's selection per area, hidden counts marked.

    Args:
        rule_id (str):
        kind (GetCalibrationChartKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetail | str
    """

    return (
        await asyncio_detailed(
            rule_id=rule_id,
            kind=kind,
            client=client,
        )
    ).parsed
