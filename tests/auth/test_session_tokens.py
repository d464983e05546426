"""Session tokens: what a node can and cannot open."""

from __future__ import annotations

import base64
import dataclasses
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import (
    SessionClaims,
    SessionKind,
    TokenError,
    TokenSealer,
    account_of_temporary_key,
    new_temporary_key_id,
)

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)


def _sealer() -> TokenSealer:
    return TokenSealer(SecretBox.from_key(secrets.token_bytes(32)))


def _claims(**changes: object) -> SessionClaims:
    issued = int(NOW.timestamp())
    claims = SessionClaims(
        access_key_id=new_temporary_key_id("123456789012"),
        secret_access_key="s3cr3t/" + secrets.token_hex(8),
        account_id="123456789012",
        kind=SessionKind.ROLE,
        subject_id="AROAEXAMPLEEXAMPLE123",
        name="deploy",
        session_name="ci-run",
        issued_at=issued,
        expires_at=issued + 3600,
        mfa_at=issued - 10,
        tags=(("team", "blue"), ("env", "prod")),
        transitive_tag_keys=("team",),
        policy='{"Version":"2012-10-17","Statement":[]}',
        policy_arns=("arn:aws:iam::aws:policy/ReadOnlyAccess",),
        source_identity="alice",
        chained=True,
        issuer="AssumeRole",
    )
    return dataclasses.replace(claims, **changes)  # type: ignore[arg-type]


def test_round_trip_keeps_every_claim() -> None:
    sealer = _sealer()
    claims = _claims()
    token = sealer.seal(claims)
    assert sealer.open(token, claims.access_key_id) == claims
    assert claims.secret_access_key not in token  # the secret travels sealed


def test_empty_optional_claims_round_trip() -> None:
    sealer = _sealer()
    claims = _claims(
        kind=SessionKind.ROOT,
        subject_id=None,
        name="",
        session_name=None,
        mfa_at=None,
        tags=(),
        transitive_tag_keys=(),
        policy=None,
        policy_arns=(),
        source_identity=None,
        chained=False,
    )
    assert sealer.open(sealer.seal(claims), claims.access_key_id) == claims


def test_every_flipped_byte_is_refused() -> None:
    sealer = _sealer()
    claims = _claims()
    raw = bytearray(base64.urlsafe_b64decode(sealer.seal(claims) + "=="))
    for index in range(0, len(raw), 7):
        changed = bytearray(raw)
        changed[index] ^= 0x01
        token = base64.urlsafe_b64encode(bytes(changed)).rstrip(b"=").decode()
        with pytest.raises(TokenError):
            sealer.open(token, claims.access_key_id)


def test_truncated_garbled_and_empty_tokens_are_refused() -> None:
    sealer = _sealer()
    claims = _claims()
    token = sealer.seal(claims)
    for bad in (token[:-4], token[:20], "", "not a token!", "é" * 40, "A" * 20_000):
        with pytest.raises(TokenError):
            sealer.open(bad, claims.access_key_id)


def test_another_servers_key_cannot_open_it() -> None:
    claims = _claims()
    token = _sealer().seal(claims)
    with pytest.raises(TokenError):
        _sealer().open(token, claims.access_key_id)


def test_the_master_key_itself_does_not_open_it() -> None:
    # Tokens use a key derived for them: a sealed access-key secret and a token never mix.
    master = SecretBox.from_key(secrets.token_bytes(32))
    claims = _claims()
    token = TokenSealer(master).seal(claims)
    raw = base64.urlsafe_b64decode(token + "==")
    with pytest.raises(Exception, match="cannot be opened"):
        master.open(raw, claims.access_key_id)


def test_a_token_only_opens_with_its_own_access_key_id() -> None:
    sealer = _sealer()
    claims = _claims()
    token = sealer.seal(claims)
    with pytest.raises(TokenError):
        sealer.open(token, new_temporary_key_id("123456789012"))


def test_expiry_is_a_claim_checked_against_the_given_time() -> None:
    sealer = _sealer()
    past = _claims(
        issued_at=int((NOW - timedelta(hours=2)).timestamp()),
        expires_at=int((NOW - timedelta(hours=1)).timestamp()),
    )
    opened = sealer.open(sealer.seal(past), past.access_key_id)
    assert opened.expired(NOW)
    assert not opened.expired(NOW - timedelta(hours=1, seconds=1))
    assert _claims().expired(NOW + timedelta(hours=1))
    assert not _claims().expired(NOW + timedelta(minutes=59))


def test_temporary_key_ids_carry_their_account() -> None:
    ids = {new_temporary_key_id("210987654321") for _ in range(50)}
    assert len(ids) == 50
    for key_id in ids:
        assert key_id.startswith("ASIA") and len(key_id) == 20
        assert re.fullmatch(r"[A-Z2-7]{16}", key_id[4:])
        assert account_of_temporary_key(key_id) == "210987654321"
    assert account_of_temporary_key("AKIA" + "A" * 16) is None
    assert account_of_temporary_key("ASIA" + "A" * 16) is None  # account 0 is no account
    assert account_of_temporary_key("ASIA1") is None


def test_a_token_opened_before_does_not_open_for_another_key_id_or_altered() -> None:
    # Opened tokens are remembered: what was refused stays refused, whatever came first.
    sealer = _sealer()
    claims = _claims()
    token = sealer.seal(claims)
    assert sealer.open(token, claims.access_key_id) == claims
    assert sealer.open(token, claims.access_key_id) == claims
    with pytest.raises(TokenError):
        sealer.open(token, new_temporary_key_id("123456789012"))
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(TokenError):
        sealer.open(altered, claims.access_key_id)


def test_only_the_canonical_spelling_of_a_token_opens() -> None:
    sealer = _sealer()
    claims = _claims()
    token = sealer.seal(claims)
    for variant in (token + "=", token + "\n", " " + token, token.replace("-", "+")):
        if variant != token:
            with pytest.raises(TokenError):
                sealer.open(variant, claims.access_key_id)
