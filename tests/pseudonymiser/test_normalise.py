"""Normalisation of names, postcodes and addresses for matching."""

from __future__ import annotations

import pytest

from services.pseudonymiser import nicknames, normalise


@pytest.mark.parametrize(("raw", "expected"), [
    ("O'Brien", "OBRIEN"),
    ("OBrien", "OBRIEN"),
    ("o\u2019brien", "OBRIEN"),
    ("Smith-Jones", "SMITHJONES"),
    ("Smith Jones", "SMITHJONES"),
    ("  smith   jones ", "SMITHJONES"),
    ("Siân", "SIAN"),
    ("Llŷr", "LLYR"),
    ("Łukasz", "LUKASZ"),
    ("Wiśniewska", "WISNIEWSKA"),
    ("Małgorzata", "MALGORZATA"),
    ("Dąbrowski", "DABROWSKI"),
    ("José", "JOSE"),
    ("D'Souza", "DSOUZA"),
])
def test_names_fold_case_accents_and_punctuation(raw, expected):
    assert normalise.name(raw) == expected


def test_empty_names_are_none():
    assert normalise.name(None) is None
    assert normalise.name("  -' ") is None


def test_first_name_token_keeps_hyphenated_names_whole():
    assert normalise.first_name_token("Mary Ann") == "MARY"
    assert normalise.first_name_token("Lily-Mae") == "LILYMAE"


@pytest.mark.parametrize(("raw", "expected"), [
    ("ol1 1ab", "OL1 1AB"), ("OL11AB", "OL1 1AB"), (" ol1  1ab ", "OL1 1AB"),
    ("M1 1AE", "M1 1AE"), ("SW1A1AA", "SW1A 1AA"), ("", None), (None, None),
])
def test_postcodes(raw, expected):
    assert normalise.postcode(raw) == expected


def test_outward_code_is_the_area():
    assert normalise.outward("ol1 1ab") == "OL1"
    assert normalise.outward("SW1A1AA") == "SW1A"
    assert normalise.outward("garbage") is None


def test_sex_codes():
    assert normalise.sex("male") == "M"
    assert normalise.sex("F") == "F"
    assert normalise.sex("U") is None
    assert normalise.sex(None) is None


def test_address_key_uses_number_first_street_word_and_postcode():
    a = normalise.address_key("12 High Street, Oldham", "OL1 1AB")
    b = normalise.address_key("12  HIGH ST", "ol11ab")
    assert a == b
    assert normalise.address_key("14 High Street", "OL1 1AB") != a
    assert normalise.address_key("12 High Street", "OL1 1AD") != a
    assert normalise.address_key("Flat 3, 12 High Street", "OL1 1AB") != a


def test_address_key_prefers_uprn_and_needs_a_postcode_otherwise():
    assert normalise.address_key("12 High Street", "OL1 1AB", "000100012") == "U:100012"
    assert normalise.address_key("1 Other Road", None, "100012") == "U:100012"
    assert normalise.address_key("12 High Street", None) is None
    assert normalise.address_key(None, "OL1 1AB") is None


@pytest.mark.parametrize(("a", "b"), [
    ("BOB", "ROBERT"), ("BILL", "WILLIAM"), ("LIZ", "ELIZABETH"), ("KATE", "KATHERINE"),
    ("JIM", "JAMES"), ("TOM", "THOMAS"), ("MIKE", "MICHAEL"), ("DAVE", "DAVID"),
    ("CHRIS", "CHRISTOPHER"), ("SAM", "SAMANTHA"), ("SAM", "SAMUEL"), ("JACK", "JOHN"),
    ("HARRY", "HENRY"), ("BECKY", "REBECCA"), ("JENNY", "JENNIFER"), ("MAGGIE", "MARGARET"),
    ("ALEX", "ALEXANDER"), ("DANNY", "DANIEL"), ("BEN", "BENJAMIN"), ("CHARLIE", "CHARLES"),
    ("ELLIE", "ELEANOR"), ("KASIA", "KATARZYNA"), ("GOSIA", "MALGORZATA"),
])
def test_nicknames(a, b):
    assert nicknames.equivalent(a, b)
    assert nicknames.equivalent(b, a)


def test_nickname_groups_do_not_chain():
    assert not nicknames.equivalent("SAMANTHA", "SAMUEL")
    assert not nicknames.equivalent("JAMES", "JOHN")
    assert len({n for g in nicknames.GROUPS for n in g}) > 120
