"""GetAccountSummary's root entries follow the root user's real credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from stockade.identity import mfa, signing_certificates, summary
from stockade.identity.quotas import DEFAULT_QUOTAS
from tests.api.helpers import self_signed_pem
from tests.posture.world import ACCOUNT, World, new_store

ROOT_KEYS = (
    "AccountMFAEnabled",
    "AccountAccessKeysPresent",
    "AccountPasswordPresent",
    "AccountSigningCertificatesPresent",
)


def _root_entries(world: World) -> dict[str, int]:
    with world.store.read() as tx:
        found = summary.account_summary(tx, ACCOUNT, DEFAULT_QUOTAS)
    return {key: found[key] for key in ROOT_KEYS}


def test_root_entries_follow_the_root_users_credentials(tmp_path: Path) -> None:
    world = World(new_store(tmp_path), datetime(2026, 2, 1, tzinfo=UTC))
    world.user("alice", password=True, key=True)  # an IAM user's credentials are not root's
    world.mfa("alice")
    assert _root_entries(world) == dict.fromkeys(ROOT_KEYS, 0)

    world.root_password()
    key = world.root_key()
    serial = world.mfa(None)
    with world.tx() as tx:
        signing_certificates.upload(tx, ACCOUNT, None, ACCOUNT, self_signed_pem(), DEFAULT_QUOTAS)
    assert _root_entries(world) == dict.fromkeys(ROOT_KEYS, 1)

    world.deactivate_key(None, key)  # AWS counts inactive keys as present
    assert _root_entries(world)["AccountAccessKeysPresent"] == 1
    world.delete_key(None, key)
    with world.tx() as tx:
        mfa.deactivate(tx, ACCOUNT, None, serial)
    entries = _root_entries(world)
    assert entries["AccountAccessKeysPresent"] == 0
    assert entries["AccountMFAEnabled"] == 0
