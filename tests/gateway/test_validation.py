"""Row validation without the bus: normalisation, checks, messages that never echo values."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.csvinput import media_type, parse_csv
from gateway.validation import check_rows, nhs_valid
from services.common.problems import Problem

TODAY = date(2026, 11, 23)


def _one(row: dict, kind="identities", level="person", codes=frozenset()):
    checked = check_rows([row], kind=kind, level=level, codes=codes, today=TODAY)
    if checked.rows:
        return checked.rows[0][1], []
    return None, checked.rejected[0]["errors"]


def base(**over):
    row = {"local_id": " L1 ", "given_name": "Ada", "family_name": "King",
           "date_of_birth": "1985-12-10"}
    row.update(over)
    return row


@pytest.mark.parametrize(("given", "expected"), [
    ("ol1 1aa", "OL1 1AA"), ("OL11AA", "OL1 1AA"), ("m1  1ae", "M1 1AE"),
    ("EC1A1BB", "EC1A 1BB"), ("w1a 0ax", "W1A 0AX")])
def test_postcode_normalised(given, expected):
    row, errors = _one(base(postcode=given))
    assert errors == [] and row["postcode"] == expected and row["local_id"] == "L1"


@pytest.mark.parametrize("given", ["OL1", "12345", "OL1 1AAA", "QQ"])
def test_bad_postcode_named_not_echoed(given):
    _, errors = _one(base(postcode=given))
    assert errors == [{"field": "postcode", "message": "must be a UK postcode"}]


@pytest.mark.parametrize(("given", "expected"), [
    ("m", "M"), ("Female", "F"), ("2", "F"), ("unknown", "U"), ("", None), (None, None)])
def test_sex_normalised(given, expected):
    row, errors = _one(base(sex=given))
    assert errors == [] and row["sex"] == expected


def test_nhs_number_check_digit():
    assert nhs_valid("9434765919") and not nhs_valid("9434765918")
    row, errors = _one(base(nhs_number="943 476 5919"))
    assert row["nhs_number"] == "9434765919"
    _, errors = _one(base(nhs_number="123"))
    assert errors[0]["field"] == "nhs_number"


@pytest.mark.parametrize("uprn", ["1", "422000001234"])
def test_uprn(uprn):
    assert _one(base(uprn=uprn))[1] == []


@pytest.mark.parametrize("uprn", ["4220000012345", "12a"])
def test_bad_uprn(uprn):
    assert _one(base(uprn=uprn))[1][0]["field"] == "uprn"


@pytest.mark.parametrize(("dob", "message"), [
    ("1985/12/10", "must be a date in ISO format (YYYY-MM-DD)"),
    ("1985-02-30", "must be a date in ISO format (YYYY-MM-DD)"),
    ("2026-11-24", "must not be in the future"),
    ("1899-12-31", "must not be before 1900-01-01")])
def test_dates(dob, message):
    assert _one(base(date_of_birth=dob))[1] == [{"field": "date_of_birth", "message": message}]


def test_missing_required_fields():
    _, errors = _one({"local_id": "L1"})
    assert errors == [{"field": "given_name", "message": "at least two of given_name, "
                       "family_name, date_of_birth and nhs_number are required (address "
                       "with postcode counts as one)"}]
    _, errors = _one({"local_id": "L1", "family_name": "Hart"})
    assert [e["field"] for e in errors] == ["given_name"]
    _, errors = _one({"given_name": "Amy", "family_name": "Hart"})
    assert errors == [{"field": "local_id", "message": "is required"}]


@pytest.mark.parametrize("kept", ["given_name", "family_name", "date_of_birth"])
def test_one_identifier_with_a_full_address_is_accepted(kept):
    row = {"local_id": "L1", kept: base()[kept], "address": "3 Mill Lane", "postcode": "OL1 1AA"}
    got, errors = _one(row)
    assert errors == [] and got[kept] is not None


@pytest.mark.parametrize("place", [{"address": "3 Mill Lane"}, {"postcode": "OL1 1AA"},
                                   {"address": "3 Mill Lane", "postcode": "OL1 1AA"}])
def test_an_address_alone_or_half_an_address_is_not_enough(place):
    _, errors = _one({"local_id": "L1", "family_name": "Hart", **place}
                     if len(place) < 2 else {"local_id": "L1", **place})
    assert [e["field"] for e in errors] == ["given_name"]


@pytest.mark.parametrize("missing", ["given_name", "family_name", "date_of_birth"])
def test_one_missing_identifier_is_accepted(missing):
    row, errors = _one(base(**{missing: None}))
    assert errors == [] and row[missing] is None


def test_property_level():
    row, errors = _one({"local_id": "P1", "postcode": "ol1 1aa"}, level="property")
    assert errors == [] and row["postcode"] == "OL1 1AA"
    _, errors = _one({"local_id": "P1", "address": "1 A St", "family_name": "King",
                      "date_of_birth": "1980-01-01"}, level="property")
    assert [e["field"] for e in errors] == ["family_name", "date_of_birth"]
    _, errors = _one({"local_id": "P1"}, level="property")
    assert errors[0]["message"] == "one of address, postcode or uprn is required"


def test_events():
    codes = frozenset({"GP1"})
    row, errors = _one({"local_id": "L1", "code": "GP1", "occurred_on": "2026-01-01"},
                       kind="events", codes=codes)
    assert errors == [] and row["occurred_on"] == date(2026, 1, 1)
    _, errors = _one({"local_id": "L1", "code": "XX9", "occurred_on": "2026-01-01",
                      "given_name": "Ada"}, kind="events", codes=codes)
    assert {e["field"] for e in errors} == {"code", "given_name"}


def test_optout_decision_fields():
    row, errors = _one(base(scope="partner:csc-la", status="withdrawn",
                            decided_on="2026-01-01"), kind="optouts")
    assert errors == [] and row["scope"] == "partner:csc-la"
    _, errors = _one(base(status="maybe", scope="all the things"), kind="optouts")
    assert {e["field"] for e in errors} == {"status", "scope"}


def test_non_string_values():
    _, errors = _one(base(given_name=["Ada"], uprn=True))
    assert {e["field"] for e in errors} == {"given_name", "uprn"}
    row, errors = _one(base(local_id=12345, uprn=42))
    assert errors == [] and (row["local_id"], row["uprn"]) == ("12345", "42")


def test_media_types():
    assert media_type("application/json; charset=utf-8") == "json"
    assert media_type("text/csv") == "csv"
    with pytest.raises(Problem) as exc:
        media_type(None)
    assert exc.value.status == 415


def test_csv_quoted_cells_and_bom():
    body = '\ufefflocal_id,code,occurred_on\n"L,1",GP1,2026-01-01\n\n'.encode()
    assert parse_csv(body, "events", "person", 10) == [
        {"local_id": "L,1", "code": "GP1", "occurred_on": "2026-01-01"}]


def test_locality_is_kept_in_one_unicode_form():
    row, errors = _one(base(locality="Shaw and Crompton"))
    assert errors == [] and row["locality"] == "Shaw and Crompton"
    row, _ = _one(base(locality="Sainte\u0301 Anne"))  # e + combining acute accent
    assert row["locality"] == "Saint\u00e9 Anne"


def test_overlong_locality_is_named_not_echoed():
    _, errors = _one(base(locality="x" * 101))
    assert errors == [{"field": "locality", "message": "must be at most 100 characters"}]


def test_address_line_2_is_kept_in_one_unicode_form_and_bounded():
    row, errors = _one(base(address_line_2="Rosé Court"))
    assert errors == [] and row["address_line_2"] == "Rosé Court"
    _, errors = _one(base(address_line_2="x" * 201))
    assert errors == [{"field": "address_line_2", "message": "must be at most 200 characters"}]
    _, errors = _one({"local_id": "P1", "address_line_2": "Rose Court"}, level="property")
    assert errors == [{"field": "address",
                       "message": "one of address, postcode or uprn is required"}]


def test_locality_alone_does_not_place_a_property_record():
    _, errors = _one({"local_id": "P1", "locality": "Chadderton"}, level="property")
    assert errors == [{"field": "address",
                       "message": "one of address, postcode or uprn is required"}]
