"""Phonetic codes of normalised names (upper-case letters only), for blocking and scoring."""

from __future__ import annotations

from functools import lru_cache

_SOUNDEX = {**dict.fromkeys("BFPV", "1"), **dict.fromkeys("CGJKQSXZ", "2"),
            **dict.fromkeys("DT", "3"), "L": "4", **dict.fromkeys("MN", "5"), "R": "6"}


@lru_cache(maxsize=1 << 16)  # names repeat
def soundex(value: str) -> str:
    """American Soundex of an upper-case, letters-only name."""
    if not value:
        return ""
    out = value[0]
    last = _SOUNDEX.get(value[0], "")
    for ch in value[1:]:
        code = _SOUNDEX.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "HW":
            last = code
    return (out + "000")[:4]
