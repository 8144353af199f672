from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.registry_change_out_action import (
    RegistryChangeOutAction,
    check_registry_change_out_action,
)
from ..models.registry_change_out_entity import (
    RegistryChangeOutEntity,
    check_registry_change_out_entity,
)

if TYPE_CHECKING:
    from ..models.registry_change_out_after_type_0 import RegistryChangeOutAfterType0
    from ..models.registry_change_out_before_type_0 import RegistryChangeOutBeforeType0


T = TypeVar("T", bound="RegistryChangeOut")


@_attrs_define
class RegistryChangeOut:
    """
    Attributes:
        seq (int):
        at (datetime.datetime):
        actor (str):
        entity (RegistryChangeOutEntity):
        key (str):
        action (RegistryChangeOutAction):
        before (None | RegistryChangeOutBeforeType0):
        after (None | RegistryChangeOutAfterType0):
    """

    seq: int
    at: datetime.datetime
    actor: str
    entity: RegistryChangeOutEntity
    key: str
    action: RegistryChangeOutAction
    before: None | RegistryChangeOutBeforeType0
    after: None | RegistryChangeOutAfterType0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.registry_change_out_after_type_0 import (
            RegistryChangeOutAfterType0,
        )
        from ..models.registry_change_out_before_type_0 import (
            RegistryChangeOutBeforeType0,
        )

        seq = self.seq

        at = self.at.isoformat()

        actor = self.actor

        entity: str = self.entity

        key = self.key

        action: str = self.action

        before: dict[str, Any] | None
        if isinstance(self.before, RegistryChangeOutBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        after: dict[str, Any] | None
        if isinstance(self.after, RegistryChangeOutAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "entity": entity,
                "key": key,
                "action": action,
                "before": before,
                "after": after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.registry_change_out_after_type_0 import (
            RegistryChangeOutAfterType0,
        )
        from ..models.registry_change_out_before_type_0 import (
            RegistryChangeOutBeforeType0,
        )

        d = dict(src_dict)
        seq = d.pop("seq")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        actor = d.pop("actor")

        entity = check_registry_change_out_entity(d.pop("entity"))

        key = d.pop("key")

        action = check_registry_change_out_action(d.pop("action"))

        def _parse_before(data: object) -> None | RegistryChangeOutBeforeType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = RegistryChangeOutBeforeType0.from_dict(data)

                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RegistryChangeOutBeforeType0, data)

        before = _parse_before(d.pop("before"))

        def _parse_after(data: object) -> None | RegistryChangeOutAfterType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = RegistryChangeOutAfterType0.from_dict(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RegistryChangeOutAfterType0, data)

        after = _parse_after(d.pop("after"))

        registry_change_out = cls(
            seq=seq,
            at=at,
            actor=actor,
            entity=entity,
            key=key,
            action=action,
            before=before,
            after=after,
        )

        registry_change_out.additional_properties = d
        return registry_change_out

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
