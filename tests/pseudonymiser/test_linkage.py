"""The deterministic matching rules, on normalised features."""

from __future__ import annotations

from datetime import date

from services.common.messages import IdentityRow
from services.pseudonymiser.linkage import (
    DeterministicRules,
    damerau_levenshtein,
    soundex,
    swap_day_month,
)
from services.pseudonymiser.models import IdentityRecord
from services.pseudonymiser.service import features, fill

RULES = DeterministicRules()
BASE = dict(given_name="Robert", family_name="Smith", date_of_birth=date(1985, 3, 7),
            sex="M", address="12 High Street", postcode="OL1 1AB")


def feat(**changes):
    row = IdentityRow(record_token="t", local_id="l", **{**BASE, **changes})
    rec = IdentityRecord()
    fill(rec, row)
    return features(rec)


def match(a: dict, b: dict | None = None) -> bool:
    return RULES.is_match(feat(**a), feat(**(b or {})))


def test_helpers():
    assert damerau_levenshtein("SMITH", "SMIHT") == 1
    assert damerau_levenshtein("SMITH", "SMYTHE") == 2
    assert soundex("ROBERT") == "R163" == soundex("RUPERT")
    assert soundex("ASHCRAFT") == "A261"
    assert swap_day_month(date(1985, 3, 7)) == date(1985, 7, 3)
    assert swap_day_month(date(1985, 3, 13)) is None
    assert RULES.blocking_dates(date(1985, 3, 7)) == [date(1985, 3, 7), date(1985, 7, 3)]


def test_exact_and_noise_match():
    assert match({})
    assert match({"given_name": "ROBERT", "family_name": " smith ", "postcode": "ol11ab"})


def test_nickname_typo_swapped_dob_missing_postcode_each_link():
    assert match({"given_name": "Bob"})
    assert match({"given_name": "Robret"})
    assert match({"given_name": "R"})
    assert match({"family_name": "Smyth"})
    assert match({"family_name": "Smiht"})
    assert match({"date_of_birth": date(1985, 7, 3)})
    assert match({"postcode": None})
    assert match({"sex": None})


def test_mover_links():
    assert match({"address": "3 New Road", "postcode": "OL8 2XY"})


def test_two_deviations_do_not_link():
    assert not match({"given_name": "Bob", "postcode": None})
    assert not match({"family_name": "Smyth", "date_of_birth": date(1985, 7, 3)})


def test_incompatible_sex_does_not_link():
    assert not match({"sex": "F"})


def test_twins_are_not_merged():
    assert not match({"given_name": "Richard"})
    assert not match({"given_name": "Ruth", "sex": None})
    girl = {"given_name": "Lily-Mae", "sex": "F"}
    assert not match(girl, {"given_name": "Ella-Rose", "sex": "F"})


def test_short_names_need_more_than_one_edit_to_differ():
    assert not match({"given_name": "Tom"}, {"given_name": "Tim"})


def test_different_dob_or_family_does_not_link():
    assert not match({"date_of_birth": date(1985, 3, 8)})
    assert not match({"family_name": "Jones"})


def test_nhs_number_links_outright():
    assert match({"nhs_number": "943 476 5919", "given_name": "Zed", "date_of_birth": None},
                 {"nhs_number": "9434765919"})


def test_welsh_polish_apostrophe_and_hyphen_names():
    assert match({"given_name": "Siân", "family_name": "Llŷr"},
                 {"given_name": "SIAN", "family_name": "Llyr"})
    assert match({"given_name": "Łukasz", "family_name": "Wiśniewski"},
                 {"given_name": "Lukasz", "family_name": "WISNIEWSKI"})
    assert match({"family_name": "O'Brien"}, {"family_name": "OBrien"})
    assert match({"family_name": "Smith-Jones"}, {"family_name": "Smith Jones"})
    assert match({"given_name": "Małgorzata"}, {"given_name": "Gosia"})
