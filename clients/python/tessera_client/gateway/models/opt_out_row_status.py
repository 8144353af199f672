from typing import Literal

OptOutRowStatus = Literal["consent", "opt_out", "withdrawn"]

OPT_OUT_ROW_STATUS_VALUES: set[OptOutRowStatus] = {
    "consent",
    "opt_out",
    "withdrawn",
}


def check_opt_out_row_status(value: str) -> OptOutRowStatus:
    if value in OPT_OUT_ROW_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {OPT_OUT_ROW_STATUS_VALUES!r}"
    )
