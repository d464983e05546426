"""An account built through the domain functions, in a real SQLite store, under a clock the
test holds still: what the posture and credential-report tests set up and then audit."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import Connection

from stockade.auth.passwords import hash_password
from stockade.auth.secrets import SecretBox
from stockade.identity import (
    accounts,
    groups,
    keys,
    logins,
    mfa,
    policies,
    roles,
    users,
)
from stockade.identity.clock import frozen_at
from stockade.identity.entities import GROUP, ROLE, USER
from stockade.identity.quotas import DEFAULT_QUOTAS
from stockade.posture import AuditReport, CheckResult, Thresholds, run_audit, snapshot_from_store
from stockade.store import Store

ACCOUNT = "123456789012"
PASSWORD = "Correct-Horse-Battery-9"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


TRUST_ACCOUNT = document(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
    }
)


class World:
    """One account; `at` is the clock every change and every audit reads."""

    def __init__(self, store: Store, at: datetime) -> None:
        self.store = store
        self.box = SecretBox.from_key(os.urandom(32))
        self.at = at
        with self.tx() as tx:
            accounts.create_account(tx, ACCOUNT, root_email="root@example.com")

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        with frozen_at(self.at), self.store.write() as tx:
            yield tx

    def later(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)

    # -- the root user ---------------------------------------------------------------------
    def root_password(self) -> None:
        with self.tx() as tx:
            accounts.set_root_credentials(tx, ACCOUNT, "root@example.com", hash_password(PASSWORD))

    def root_key(self) -> str:
        with self.tx() as tx:
            return str(
                keys.create_key(tx, self.box, ACCOUNT, None, ACCOUNT, DEFAULT_QUOTAS)["AccessKeyId"]
            )

    # -- users -----------------------------------------------------------------------------
    def user(self, name: str, *, password: bool = False, key: bool = False) -> str:
        with self.tx() as tx:
            row = users.create_user(tx, ACCOUNT, name, None, DEFAULT_QUOTAS)
            user_id = str(row["UserId"])
            if password:
                logins.create_profile(tx, ACCOUNT, user_id, name, PASSWORD, False)
        if key:
            self.key(name)
        return user_id

    def user_id(self, tx: Connection, name: str) -> str:
        return str(users.get_user(tx, ACCOUNT, name)["user_id"])

    def key(self, user: str) -> str:
        with self.tx() as tx:
            created = keys.create_key(
                tx, self.box, ACCOUNT, self.user_id(tx, user), user, DEFAULT_QUOTAS
            )
        return str(created["AccessKeyId"])

    def use_key(self, key_id: str, service: str = "iam", region: str = "us-east-1") -> None:
        with self.tx() as tx:
            keys.record_use(tx, key_id, service, region, self.at, None)

    def deactivate_key(self, user: str | None, key_id: str) -> None:
        with self.tx() as tx:
            owner = None if user is None else self.user_id(tx, user)
            keys.set_status(tx, ACCOUNT, owner, key_id, "Inactive")

    def delete_key(self, user: str | None, key_id: str) -> None:
        with self.tx() as tx:
            owner = None if user is None else self.user_id(tx, user)
            keys.delete_key(tx, ACCOUNT, owner, key_id)

    def sign_in(self, user: str | None) -> None:
        with self.tx() as tx:
            logins.record_password_use(
                tx, ACCOUNT, None if user is None else self.user_id(tx, user)
            )

    def mfa(self, user: str | None, device: str | None = None) -> str:
        """A virtual device, enabled with two consecutive codes of its seed."""
        name = device or (user or "root-account-mfa-device")
        with self.tx() as tx:
            created = mfa.create_virtual(tx, self.box, ACCOUNT, name, None, DEFAULT_QUOTAS)
            seed = created["Base32StringSeed"].decode()
            totp = pyotp.TOTP(seed)
            owner = None if user is None else self.user_id(tx, user)
            mfa.enable(
                tx,
                self.box,
                ACCOUNT,
                owner,
                created["SerialNumber"],
                totp.at(self.at - timedelta(seconds=30)),
                totp.at(self.at),
                DEFAULT_QUOTAS,
                at=self.at,
            )
        return str(created["SerialNumber"])

    # -- groups, roles, policies -----------------------------------------------------------
    def group(self, name: str, *members: str) -> None:
        with self.tx() as tx:
            groups.create_group(tx, ACCOUNT, name, None, DEFAULT_QUOTAS)
            for member in members:
                users.add_to_group(tx, ACCOUNT, name, member, DEFAULT_QUOTAS)

    def role(self, name: str, trust: str = TRUST_ACCOUNT) -> None:
        with self.tx() as tx:
            roles.create_role(tx, ACCOUNT, name, None, trust, DEFAULT_QUOTAS)

    def policy(self, name: str, text: str) -> str:
        with self.tx() as tx:
            return str(
                policies.create_policy(tx, ACCOUNT, name, None, text, None, DEFAULT_QUOTAS)["Arn"]
            )

    def _entity_id(self, tx: Connection, kind: str, name: str) -> str:
        from stockade.identity import entities

        found = entities.get(tx, {"user": USER, "group": GROUP, "role": ROLE}[kind], ACCOUNT, name)
        return str(found[{"user": "user_id", "group": "group_id", "role": "role_id"}[kind]])

    def attach(self, kind: str, name: str, policy_arn: str) -> None:
        entity_kind = {"user": USER, "group": GROUP, "role": ROLE}[kind]
        with self.tx() as tx:
            policies.attach(
                tx,
                ACCOUNT,
                entity_kind,
                self._entity_id(tx, kind, name),
                policy_arn,
                DEFAULT_QUOTAS,
            )

    def detach(self, kind: str, name: str, policy_arn: str) -> None:
        entity_kind = {"user": USER, "group": GROUP, "role": ROLE}[kind]
        with self.tx() as tx:
            policies.detach(tx, ACCOUNT, entity_kind, self._entity_id(tx, kind, name), policy_arn)

    def inline(self, kind: str, name: str, policy_name: str, text: str) -> None:
        entity_kind = {"user": USER, "group": GROUP, "role": ROLE}[kind]
        with self.tx() as tx:
            policies.put_inline(
                tx, ACCOUNT, entity_kind, self._entity_id(tx, kind, name), policy_name, text
            )

    def drop_inline(self, kind: str, name: str, policy_name: str) -> None:
        entity_kind = {"user": USER, "group": GROUP, "role": ROLE}[kind]
        with self.tx() as tx:
            policies.delete_inline(
                tx, ACCOUNT, entity_kind, self._entity_id(tx, kind, name), policy_name
            )

    def password_policy(self, **settings: Any) -> None:
        with self.tx() as tx:
            accounts.update_password_policy(tx, ACCOUNT, settings)

    # -- the audit -------------------------------------------------------------------------
    def audit(self, thresholds: Thresholds | None = None) -> AuditReport:
        with frozen_at(self.at), self.store.read() as tx:
            return run_audit(snapshot_from_store(tx, ACCOUNT), thresholds)

    def result(self, check_id: str, thresholds: Thresholds | None = None) -> CheckResult:
        for result in self.audit(thresholds).results:
            if result.check.id == check_id:
                return result
        raise KeyError(check_id)


def new_store(tmp: Path) -> Store:
    store = Store.for_data_dir(tmp)
    store.migrate()
    return store
