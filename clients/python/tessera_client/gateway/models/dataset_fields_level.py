from typing import Literal

DatasetFieldsLevel = Literal["person", "property"]

DATASET_FIELDS_LEVEL_VALUES: set[DatasetFieldsLevel] = {
    "person",
    "property",
}


def check_dataset_fields_level(value: str) -> DatasetFieldsLevel:
    if value in DATASET_FIELDS_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATASET_FIELDS_LEVEL_VALUES!r}"
    )
