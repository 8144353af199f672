from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rescore_status_chunks import RescoreStatusChunks


T = TypeVar("T", bound="RescoreStatus")


@_attrs_define
class RescoreStatus:
    """Progress of a bulk re-score (counts only).

    Attributes:
        request_id (str):
        levels (list[str]):
        requested_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        profiles (int):
        flag_changes (int):
        chunks (RescoreStatusChunks):
    """

    request_id: str
    levels: list[str]
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None
    profiles: int
    flag_changes: int
    chunks: RescoreStatusChunks
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        levels = self.levels

        requested_at = self.requested_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        profiles = self.profiles

        flag_changes = self.flag_changes

        chunks = self.chunks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_id": request_id,
                "levels": levels,
                "requested_at": requested_at,
                "finished_at": finished_at,
                "profiles": profiles,
                "flag_changes": flag_changes,
                "chunks": chunks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rescore_status_chunks import RescoreStatusChunks

        d = dict(src_dict)
        request_id = d.pop("request_id")

        levels = cast(list[str], d.pop("levels"))

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        profiles = d.pop("profiles")

        flag_changes = d.pop("flag_changes")

        chunks = RescoreStatusChunks.from_dict(d.pop("chunks"))

        rescore_status = cls(
            request_id=request_id,
            levels=levels,
            requested_at=requested_at,
            finished_at=finished_at,
            profiles=profiles,
            flag_changes=flag_changes,
            chunks=chunks,
        )

        rescore_status.additional_properties = d
        return rescore_status

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
