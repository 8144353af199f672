from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.top_share import TopShare


T = TypeVar("T", bound="AreaConcentration")


@_attrs_define
class AreaConcentration:
    """
    Attributes:
        area (str):
        name (None | str):
        population (int | None):
        persons_with_demand (int | None):
        share_with_demand (float | None): Residents with any demand, a share.
        top (list[TopShare]):
        lorenz (list[list[float]]): The Lorenz curve: (share of residents, share of demand), least demand first.
        gini (float | None):
        suppressed (bool):
    """

    area: str
    name: None | str
    population: int | None
    persons_with_demand: int | None
    share_with_demand: float | None
    top: list[TopShare]
    lorenz: list[list[float]]
    gini: float | None
    suppressed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        area = self.area

        name: None | str
        name = self.name

        population: int | None
        population = self.population

        persons_with_demand: int | None
        persons_with_demand = self.persons_with_demand

        share_with_demand: float | None
        share_with_demand = self.share_with_demand

        top = []
        for top_item_data in self.top:
            top_item = top_item_data.to_dict()
            top.append(top_item)

        lorenz = []
        for lorenz_item_data in self.lorenz:
            lorenz_item = []
            for lorenz_item_item_data in lorenz_item_data:
                lorenz_item_item: float
                lorenz_item_item = lorenz_item_item_data
                lorenz_item.append(lorenz_item_item)

            lorenz.append(lorenz_item)

        gini: float | None
        gini = self.gini

        suppressed = self.suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "area": area,
                "name": name,
                "population": population,
                "persons_with_demand": persons_with_demand,
                "share_with_demand": share_with_demand,
                "top": top,
                "lorenz": lorenz,
                "gini": gini,
                "suppressed": suppressed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.top_share import TopShare

        d = dict(src_dict)
        area = d.pop("area")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_population(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        population = _parse_population(d.pop("population"))

        def _parse_persons_with_demand(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        persons_with_demand = _parse_persons_with_demand(d.pop("persons_with_demand"))

        def _parse_share_with_demand(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_with_demand = _parse_share_with_demand(d.pop("share_with_demand"))

        top = []
        _top = d.pop("top")
        for top_item_data in _top:
            top_item = TopShare.from_dict(top_item_data)

            top.append(top_item)

        lorenz = []
        _lorenz = d.pop("lorenz")
        for lorenz_item_data in _lorenz:
            lorenz_item = []
            _lorenz_item = lorenz_item_data
            for lorenz_item_item_data in _lorenz_item:

                def _parse_lorenz_item_item(data: object) -> float:
                    return cast(float, data)

                lorenz_item_item = _parse_lorenz_item_item(lorenz_item_item_data)

                lorenz_item.append(lorenz_item_item)

            lorenz.append(lorenz_item)

        def _parse_gini(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        gini = _parse_gini(d.pop("gini"))

        suppressed = d.pop("suppressed")

        area_concentration = cls(
            area=area,
            name=name,
            population=population,
            persons_with_demand=persons_with_demand,
            share_with_demand=share_with_demand,
            top=top,
            lorenz=lorenz,
            gini=gini,
            suppressed=suppressed,
        )

        area_concentration.additional_properties = d
        return area_concentration

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
