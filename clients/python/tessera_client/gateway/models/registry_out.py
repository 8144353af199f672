from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dataset_out import DatasetOut
    from ..models.partner_out import PartnerOut


T = TypeVar("T", bound="RegistryOut")


@_attrs_define
class RegistryOut:
    """
    Attributes:
        revision (int): The seq of the latest registry change
        partners (list[PartnerOut]):
        datasets (list[DatasetOut]):
    """

    revision: int
    partners: list[PartnerOut]
    datasets: list[DatasetOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        revision = self.revision

        partners = []
        for partners_item_data in self.partners:
            partners_item = partners_item_data.to_dict()
            partners.append(partners_item)

        datasets = []
        for datasets_item_data in self.datasets:
            datasets_item = datasets_item_data.to_dict()
            datasets.append(datasets_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "revision": revision,
                "partners": partners,
                "datasets": datasets,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dataset_out import DatasetOut
        from ..models.partner_out import PartnerOut

        d = dict(src_dict)
        revision = d.pop("revision")

        partners = []
        _partners = d.pop("partners")
        for partners_item_data in _partners:
            partners_item = PartnerOut.from_dict(partners_item_data)

            partners.append(partners_item)

        datasets = []
        _datasets = d.pop("datasets")
        for datasets_item_data in _datasets:
            datasets_item = DatasetOut.from_dict(datasets_item_data)

            datasets.append(datasets_item)

        registry_out = cls(
            revision=revision,
            partners=partners,
            datasets=datasets,
        )

        registry_out.additional_properties = d
        return registry_out

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
