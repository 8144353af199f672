from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.active_model import ActiveModel
    from ..models.learning_job import LearningJob


T = TypeVar("T", bound="LearningStatus")


@_attrs_define
class LearningStatus:
    """
    Attributes:
        active (ActiveModel | None):
        in_use (str): The version linking now (the active one, with any thresholds the settings override)
        held_records (int):
        auto (bool): Whether the service trains by itself
        next_training_at (int | None): Held records at which the policy trains next (after a pause in arriving batches)
        job (LearningJob | None):
    """

    active: ActiveModel | None
    in_use: str
    held_records: int
    auto: bool
    next_training_at: int | None
    job: LearningJob | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.active_model import ActiveModel
        from ..models.learning_job import LearningJob

        active: dict[str, Any] | None
        if isinstance(self.active, ActiveModel):
            active = self.active.to_dict()
        else:
            active = self.active

        in_use = self.in_use

        held_records = self.held_records

        auto = self.auto

        next_training_at: int | None
        next_training_at = self.next_training_at

        job: dict[str, Any] | None
        if isinstance(self.job, LearningJob):
            job = self.job.to_dict()
        else:
            job = self.job

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "in_use": in_use,
                "held_records": held_records,
                "auto": auto,
                "next_training_at": next_training_at,
                "job": job,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.active_model import ActiveModel
        from ..models.learning_job import LearningJob

        d = dict(src_dict)

        def _parse_active(data: object) -> ActiveModel | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                active_type_0 = ActiveModel.from_dict(data)

                return active_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ActiveModel | None, data)

        active = _parse_active(d.pop("active"))

        in_use = d.pop("in_use")

        held_records = d.pop("held_records")

        auto = d.pop("auto")

        def _parse_next_training_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        next_training_at = _parse_next_training_at(d.pop("next_training_at"))

        def _parse_job(data: object) -> LearningJob | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                job_type_0 = LearningJob.from_dict(data)

                return job_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LearningJob | None, data)

        job = _parse_job(d.pop("job"))

        learning_status = cls(
            active=active,
            in_use=in_use,
            held_records=held_records,
            auto=auto,
            next_training_at=next_training_at,
            job=job,
        )

        learning_status.additional_properties = d
        return learning_status

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
