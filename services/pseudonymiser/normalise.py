"""Normalised forms of identity values, for matching (never for display).

Names are upper-cased with accents stripped and everything but letters removed, so
"O'Brien" = "OBRIEN" (whichever apostrophe), "Smith-Jones" = "Smith Jones" = "SMITHJONES",
"Siân" = "SIAN" and "Łukasz" = "LUKASZ" (letters Unicode does not decompose are mapped).
Postcodes are upper-cased and re-spaced ("ol11ab" -> "OL1 1AB"). An address key identifies a
dwelling: the UPRN when there is one, else house number, first street word and postcode.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "Þ": "TH", "þ": "th",
    "ı": "i",
})
# Apostrophes and the marks transliterations use like them (O'Brien, D\u2019Souza,
# \u02bfAbd): dropped, so the parts join ("OBRIEN"), whatever the sender's system used.
_APOSTROPHES = "\u0027\u2018\u2019\u201b\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u0060\u00b4\u2032"
_FOLD.update(str.maketrans("", "", _APOSTROPHES))
# Hyphens and dashes between the parts of a double-barrelled name (Smith-Jones).
_HYPHENS = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")
_FLAT_WORDS = frozenset({"FLAT", "FLATS", "APT", "APARTMENT", "UNIT", "ROOM", "NO", "NUMBER"})
# Names and postcodes repeat (a borough has a few thousand family names, a household shares
# a postcode), and a linkage call normalises each value more than once (the record, then
# its model features): the pure functions below keep their latest results.
_cached = lru_cache(maxsize=1 << 16)


@_cached
def fold(value: str | None) -> str:
    """Upper case, accents stripped, punctuation to spaces, whitespace collapsed."""
    if not value:
        return ""
    text = value.translate(_FOLD)
    if not text.isascii():  # plain ASCII has no accents to strip (most values: fast path)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", text.upper()).split())


@_cached
def name(value: str | None) -> str | None:
    """A name for comparison: letters only, no spaces or hyphens ("Smith-Jones" -> "SMITHJONES")."""
    folded = "".join(ch for ch in fold(value) if ch.isalpha())
    return folded or None


@_cached
def first_name_token(value: str | None) -> str | None:
    """The first word of a given name ("Mary Ann" -> "MARY"); hyphenated names stay whole."""
    if not value:
        return None
    text = value.translate(_HYPHENS)
    words = fold(text).split()
    token = "".join(ch for ch in words[0] if ch.isalpha()) if words else ""
    return token or None


def sex(value: str | None) -> str | None:
    v = fold(value)
    if v in ("M", "MALE", "MAN", "1"):
        return "M"
    if v in ("F", "FEMALE", "WOMAN", "2"):
        return "F"
    return None


@_cached
def postcode(value: str | None) -> str | None:
    compact = _NOT_ALNUM.sub("", fold(value))
    if not compact:
        return None
    if _POSTCODE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def outward(value: str | None) -> str | None:
    """The outward code of a postcode ("OL1 1AB" -> "OL1"), the coarse area."""
    pc = postcode(value)
    if pc and " " in pc:
        return pc.split(" ")[0]
    return None


@_cached
def uprn(value: str | None) -> str | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit()).lstrip("0")
    return digits or None


@_cached
def nhs_number(value: str | None) -> str | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return digits if len(digits) == 10 else None


@_cached  # the members of a household share it, and a call builds it twice a record
def address_key(address: str | None, postcode_value: str | None,
                uprn_value: str | None = None) -> str | None:
    """UPRN when present, else house number + first street word + postcode; None if too vague."""
    u = uprn(uprn_value)
    if u:
        return f"U:{u}"
    pc = postcode(postcode_value)
    words = fold(address).split()
    if not pc or not words:
        return None
    numbers: list[str] = []
    street = None
    for word in words:
        if any(ch.isdigit() for ch in word):
            numbers.append(word)
        elif word in _FLAT_WORDS:
            continue
        elif numbers or street is None:
            street = word
            if numbers:
                break
    if not numbers and street is None:
        return None
    return f"A:{'/'.join(numbers)}|{street or ''}|{pc.replace(' ', '')}"
