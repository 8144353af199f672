from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.review_pair_out_band import ReviewPairOutBand, check_review_pair_out_band
from ..models.review_pair_out_resolution_type_0 import (
    ReviewPairOutResolutionType0,
    check_review_pair_out_resolution_type_0,
)
from ..models.review_pair_out_status import (
    ReviewPairOutStatus,
    check_review_pair_out_status,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_evidence import FieldEvidence
    from ..models.review_record import ReviewRecord


T = TypeVar("T", bound="ReviewPairOut")


@_attrs_define
class ReviewPairOut:
    """
    Attributes:
        pair_id (str):
        probability (float):
        model_version (str):
        status (ReviewPairOutStatus):
        band (ReviewPairOutBand): The band of `probability` under the current thresholds
        decided_by (None | str):
        decided_at (datetime.datetime | None):
        created_at (datetime.datetime):
        records (list[ReviewRecord]):
        resolution (None | ReviewPairOutResolutionType0 | Unset): Why a superseded pair left the queue: its records are
            now one person, one of them is no longer held, or the current model scores it below the review band
        evidence (list[FieldEvidence] | Unset): Each comparison's level and weight under the current model (before term-
            frequency adjustments)
    """

    pair_id: str
    probability: float
    model_version: str
    status: ReviewPairOutStatus
    band: ReviewPairOutBand
    decided_by: None | str
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    records: list[ReviewRecord]
    resolution: None | ReviewPairOutResolutionType0 | Unset = UNSET
    evidence: list[FieldEvidence] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pair_id = self.pair_id

        probability = self.probability

        model_version = self.model_version

        status: str = self.status

        band: str = self.band

        decided_by: None | str
        decided_by = self.decided_by

        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        created_at = self.created_at.isoformat()

        records = []
        for records_item_data in self.records:
            records_item = records_item_data.to_dict()
            records.append(records_item)

        resolution: None | str | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        elif isinstance(self.resolution, str):
            resolution = self.resolution
        else:
            resolution = self.resolution

        evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evidence, Unset):
            evidence = []
            for evidence_item_data in self.evidence:
                evidence_item = evidence_item_data.to_dict()
                evidence.append(evidence_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pair_id": pair_id,
                "probability": probability,
                "model_version": model_version,
                "status": status,
                "band": band,
                "decided_by": decided_by,
                "decided_at": decided_at,
                "created_at": created_at,
                "records": records,
            }
        )
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if evidence is not UNSET:
            field_dict["evidence"] = evidence

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.field_evidence import FieldEvidence
        from ..models.review_record import ReviewRecord

        d = dict(src_dict)
        pair_id = d.pop("pair_id")

        probability = d.pop("probability")

        model_version = d.pop("model_version")

        status = check_review_pair_out_status(d.pop("status"))

        band = check_review_pair_out_band(d.pop("band"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_decided_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        records = []
        _records = d.pop("records")
        for records_item_data in _records:
            records_item = ReviewRecord.from_dict(records_item_data)

            records.append(records_item)

        def _parse_resolution(
            data: object,
        ) -> None | ReviewPairOutResolutionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = check_review_pair_out_resolution_type_0(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReviewPairOutResolutionType0 | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        _evidence = d.pop("evidence", UNSET)
        evidence: list[FieldEvidence] | Unset = UNSET
        if _evidence is not UNSET:
            evidence = []
            for evidence_item_data in _evidence:
                evidence_item = FieldEvidence.from_dict(evidence_item_data)

                evidence.append(evidence_item)

        review_pair_out = cls(
            pair_id=pair_id,
            probability=probability,
            model_version=model_version,
            status=status,
            band=band,
            decided_by=decided_by,
            decided_at=decided_at,
            created_at=created_at,
            records=records,
            resolution=resolution,
            evidence=evidence,
        )

        review_pair_out.additional_properties = d
        return review_pair_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
