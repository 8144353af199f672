"""A sealed reply opens only for its asker, in its context; keys rotate."""

from __future__ import annotations

import pytest

from services.common.sealing import Opener, Sealer, Unsealable
from services.common.signing import b64, unb64


def test_only_the_asker_opens_it_in_its_context():
    asker, other = Opener(), Opener()
    sealed = Sealer().seal(asker.public, b"Ada Lovelace", b"7:p_1")
    assert asker.open(sealed, b"7:p_1") == b"Ada Lovelace"
    for opener, context in ((other, b"7:p_1"), (asker, b"8:p_1"), (asker, b"7:p_2")):
        with pytest.raises(Unsealable):
            opener.open(sealed, context)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(Unsealable):
        asker.open(flipped, b"7:p_1")
    assert b"Ada" not in sealed.encode()


def test_a_sealer_reuses_its_ephemeral_key_until_it_rotates():
    asker = Opener()
    sealer = Sealer(rotate_s=3600)
    one, two = (unb64(sealer.seal(asker.public, b"x", b"c")) for _ in range(2))
    assert one[:32] == two[:32] and one[32:44] != two[32:44]  # one key, fresh nonces
    assert asker.open(b64(one), b"c") == asker.open(b64(two), b"c") == b"x"
    rotating = Sealer(rotate_s=0.0)
    assert unb64(rotating.seal(asker.public, b"x", b"c"))[:32] != \
        unb64(rotating.seal(asker.public, b"x", b"c"))[:32]
    with pytest.raises(Unsealable):
        sealer.seal("not-a-key", b"x", b"c")
