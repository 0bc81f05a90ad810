"""Her home encrypted with MultiFernet: round trip, rotation to a new first key, no key."""

import pytest
from cryptography.fernet import InvalidToken

from scout.people import crypto
from scout.people.crypto import Home

HOME = Home("Via Padova 36", 9.2271234, 45.4970567)


def test_round_trip_and_token_holds_nothing_in_clear(app):
    with app.app_context():
        token = crypto.encrypt_home(HOME)
        for clear in (b"Padova", b"9.227", b"45.49"):
            assert clear not in token
        assert crypto.decrypt_home(token) == HOME
        assert "Padova" not in repr(crypto.decrypt_home(token))


def test_rotation_re_encrypts_with_the_new_first_key():
    old, new = crypto.new_key(), crypto.new_key()
    token = crypto.encrypt_home(HOME, keys=old)
    rotated = crypto.rotate(token, keys=f"{new},{old}")
    assert crypto.decrypt_home(rotated, keys=new) == HOME
    with pytest.raises(InvalidToken):
        crypto.decrypt_home(token, keys=new)


def test_no_key_refuses_to_encrypt():
    with pytest.raises(crypto.KeyMissing):
        crypto.encrypt_home(HOME, keys="")
