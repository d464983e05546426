"""Password hashing: Argon2id, never raising on bad input."""

from __future__ import annotations

import pytest

from stockade.auth import hash_password, needs_rehash, verify_password
from stockade.auth.passwords import FAST_HASH_ENV


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_HASH_ENV, "1")


def test_round_trip() -> None:
    stored = hash_password("correct horse ☃")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse ☃")
    assert not verify_password(stored, "correct horse")
    assert not needs_rehash(stored)


def test_salted() -> None:
    assert hash_password("same") != hash_password("same")


@pytest.mark.parametrize(
    "stored", ["", "plaintext", "$argon2id$v=19$m=8,t=1,p=1$bad", "$2b$12$abcdefghijklmnopqrstuv"]
)
def test_malformed_hash_is_false_not_an_error(stored: str) -> None:
    assert verify_password(stored, "anything") is False
    assert needs_rehash(stored) is True


def test_production_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = hash_password("pw")
    monkeypatch.delenv(FAST_HASH_ENV)
    stored = hash_password("pw")
    assert "$m=19456,t=3,p=1$" in stored
    assert verify_password(stored, "pw") and not needs_rehash(stored)
    # A hash made with test parameters still verifies, and asks to be upgraded.
    assert verify_password(fast, "pw") and needs_rehash(fast)
