"""Session semantics in the domain, on a real SQLite store: durations, chaining, tags, packing."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import SessionClaims, SessionKind, TokenSealer
from stockade.identity import entities, policies, roles, sessions
from stockade.identity.entities import ROLE, USER
from stockade.identity.errors import (
    InvalidParameterValue,
    MalformedPolicyDocument,
    PackedPolicyTooLarge,
    ValidationError,
)
from stockade.identity.quotas import DEFAULT_QUOTAS
from stockade.identity.setup import initialise
from stockade.store import Store

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.for_data_dir(tmp_path)
    opened.migrate()
    with opened.write() as tx:
        initialise(
            tx,
            SecretBox.from_key(secrets.token_bytes(32)),
            DEFAULT_QUOTAS,
            account_id=ACCOUNT,
            root_email="root@example.com",
            root_password="correct horse battery staple 1!",
            admin_user="admin",
        )
        roles.create_role(tx, ACCOUNT, "deploy", "/", TRUST, DEFAULT_QUOTAS)
        roles.create_role(
            tx, ACCOUNT, "long", "/", TRUST, DEFAULT_QUOTAS, max_session_duration=43_200
        )
    yield opened


SEALER = TokenSealer(SecretBox.from_key(secrets.token_bytes(32)))


def _claims(result: dict[str, Any]) -> SessionClaims:
    credentials = result["Credentials"]
    return SEALER.open(credentials["SessionToken"], credentials["AccessKeyId"])


def _length(result: dict[str, Any]) -> int:
    claims = _claims(result)
    return claims.expires_at - claims.issued_at


def _role(store: Store, name: str) -> dict[str, Any]:
    with store.read() as tx:
        return entities.get(tx, ROLE, ACCOUNT, name)


def test_session_token_durations_and_the_root_cap(store: Store) -> None:
    box = SecretBox.from_key(secrets.token_bytes(32))
    with store.write() as tx:
        admin = entities.get(tx, USER, ACCOUNT, "admin")

        def issue(user: dict[str, Any] | None, duration: int | None) -> dict[str, Any]:
            return sessions.get_session_token(
                tx, box, SEALER, ACCOUNT, user, duration=duration, serial=None, code=None, now=NOW
            )

        assert _length(issue(admin, None)) == 43_200
        assert _length(issue(admin, 129_600)) == 129_600
        assert _length(issue(None, 7_200)) == 3_600  # the root user's: an hour at most
        assert _length(issue(None, 900)) == 900
        user_claims = _claims(issue(admin, None))
        assert (user_claims.kind, user_claims.subject_id) == (SessionKind.USER, admin["user_id"])
        assert user_claims.mfa_at is None
        assert _claims(issue(None, None)).kind is SessionKind.ROOT
        # A code without its serial number, or the reverse, is refused.
        with pytest.raises(Exception, match="MultiFactorAuthentication failed"):
            sessions.get_session_token(
                tx, box, SEALER, ACCOUNT, admin, duration=None, serial=None, code="123456", now=NOW
            )


def test_role_session_durations(store: Store) -> None:
    deploy, long = _role(store, "deploy"), _role(store, "long")
    assert sessions.role_session_duration(deploy, None, chained=False) == 3_600
    assert sessions.role_session_duration(long, None, chained=False) == 3_600
    assert sessions.role_session_duration(long, 43_200, chained=False) == 43_200
    with pytest.raises(ValidationError, match="MaxSessionDuration"):
        sessions.role_session_duration(deploy, 3_601, chained=False)
    assert sessions.role_session_duration(long, None, chained=True) == 3_600
    with pytest.raises(ValidationError, match="1 hour session limit"):
        sessions.role_session_duration(long, 3_601, chained=True)


def _assume(store: Store, name: str, **options: Any) -> dict[str, Any]:
    role = _role(store, name)
    with store.write() as tx:
        return sessions.issue_role_session(tx, SEALER, ACCOUNT, role, "s1", now=NOW, **options)


def test_role_chain_passes_transitive_tags_and_source_identity(store: Store) -> None:
    first = _assume(
        store,
        "deploy",
        tags=[("team", "blue"), ("cost", "42")],
        transitive_tag_keys=["team"],
        source_identity="alice",
        mfa_at=int(NOW.timestamp()) - 60,
    )
    parent = _claims(first)
    assert first["SourceIdentity"] == "alice"
    second = _claims(_assume(store, "long", parent=parent, tags=[("stage", "prod")]))
    assert second.chained
    assert second.tags == (("team", "blue"), ("stage", "prod"))  # cost was not transitive
    assert second.transitive_tag_keys == ("team",)
    assert second.source_identity == "alice"
    assert second.mfa_at == parent.mfa_at
    assert second.expires_at - second.issued_at == 3_600
    with pytest.raises(InvalidParameterValue, match="transitive"):
        _assume(store, "long", parent=parent, tags=[("TEAM", "red")])
    with pytest.raises(ValidationError, match="source identity"):
        _assume(store, "long", parent=parent, source_identity="mallory")
    # The role records its last use.
    assert _role(store, "long")["last_used_at"] is not None


def test_session_tags_and_policies_are_checked(store: Store) -> None:
    with pytest.raises(InvalidParameterValue, match="Duplicate tag keys"):
        _assume(store, "deploy", tags=[("Team", "a"), ("team", "b")])
    with pytest.raises(InvalidParameterValue, match="transitive tag key"):
        _assume(store, "deploy", tags=[("team", "a")], transitive_tag_keys=["env"])
    with pytest.raises(MalformedPolicyDocument):
        _assume(store, "deploy", policy='{"Version": "2012-10-17", "Statement": []}')
    with pytest.raises(MalformedPolicyDocument, match="does not exist"):
        _assume(store, "deploy", policy_arns=[f"arn:aws:iam::{ACCOUNT}:policy/none"])
    done = _assume(
        store, "deploy", policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"], tags=[("a", "b")]
    )
    assert 0 < done["PackedPolicySize"] <= 100
    assert _claims(done).policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)


def test_packed_size() -> None:
    assert sessions.packed_size_percent(None, (), ()) is None
    small = sessions.packed_size_percent(None, (), (("k", "v"),))
    assert small is not None and 0 < small <= 100
    noise = [(secrets.token_hex(60), secrets.token_hex(120)) for _ in range(50)]
    with pytest.raises(PackedPolicyTooLarge):
        sessions.packed_size_percent(None, (), noise)


def test_revocation_policy_denies_sessions_issued_before_the_cut_off(store: Store) -> None:
    with store.write() as tx:
        sessions.revoke_older_sessions(tx, ACCOUNT, "deploy", NOW)
    role = _role(store, "deploy")
    with store.read() as tx:
        stored = dict(policies.inline_documents(tx, ROLE, role["role_id"]))
    document = json.loads(stored["AWSRevokeOlderSessions"])
    assert document["Statement"] == [
        {
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-11-29T12:00:00Z"}},
        }
    ]
