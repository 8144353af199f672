from typing import Literal

PartnerOutManagedBy = Literal["api", "file"]

PARTNER_OUT_MANAGED_BY_VALUES: set[PartnerOutManagedBy] = {
    "api",
    "file",
}


def check_partner_out_managed_by(value: str) -> PartnerOutManagedBy:
    if value in PARTNER_OUT_MANAGED_BY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PARTNER_OUT_MANAGED_BY_VALUES!r}"
    )
