from typing import Literal

RuleDocumentLevel = Literal["household", "person"]

RULE_DOCUMENT_LEVEL_VALUES: set[RuleDocumentLevel] = {
    "household",
    "person",
}


def check_rule_document_level(value: str) -> RuleDocumentLevel:
    if value in RULE_DOCUMENT_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {RULE_DOCUMENT_LEVEL_VALUES!r}"
    )
