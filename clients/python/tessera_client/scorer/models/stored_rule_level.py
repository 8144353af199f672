from typing import Literal

StoredRuleLevel = Literal["household", "person"]

STORED_RULE_LEVEL_VALUES: set[StoredRuleLevel] = {
    "household",
    "person",
}


def check_stored_rule_level(value: str) -> StoredRuleLevel:
    if value in STORED_RULE_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STORED_RULE_LEVEL_VALUES!r}"
    )
