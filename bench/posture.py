"""The credential report and the full audit for 10,000 and 100,000 users: how the time grows.

Each size gets its own SQLite store (built once, before any timing, by bulk inserts of the rows a
live account holds; building is not timed). Per user: a console password for half of them, one
access key (a second, inactive, for one in ten; used by two in three), an enabled virtual MFA
device for one in three, membership of one of 100 groups; one in ten has a customer managed
policy attached directly and one in twenty an inline policy (one of 50 documents). The account
also holds 200 customer managed policies (some escalating), 1,000 roles and a password policy.

One untimed warm-up audit first loads what any process loads once (the AWS managed policies
shipped in the package); the parsed-policy cache is cleared before every timed audit. Timed, per
size and run, each in a fresh read transaction:
- report: `credential_report.report_rows` + `render` (what GenerateCredentialReport does);
- audit:  `snapshot_from_store` + `run_audit` (what `stockade audit --data-dir` does).

The growth ratio is (time at 100,000 / time at 10,000) / 10: 1.0 is linear. Each run prints one
line; `--sizes` and `--runs` change the sizes and the number of runs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stockade.identity import accounts, credential_report
from stockade.posture import run_audit, snapshot_from_store
from stockade.posture.grants import grants_of
from stockade.store import Store
from stockade.store import schema as t

ACCOUNT = "123456789012"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
GROUPS = 100
POLICIES = 200
ROLES = 1000
INLINE_DOCUMENTS = 50
BATCH = 5000


def _document(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def _insert(tx: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        tx.execute(table.insert(), rows[start : start + BATCH])


def build(path: Path, users: int) -> Store:
    store = Store.for_data_dir(path)
    store.migrate()
    created = NOW - timedelta(days=400)
    with store.write() as tx:
        accounts.create_account(tx, ACCOUNT, root_email="root@example.com")
        accounts.update_password_policy(
            tx, ACCOUNT, {"MinimumPasswordLength": 12, "MaxPasswordAge": 90}
        )
        _insert(
            tx,
            t.groups,
            [
                {
                    "group_id": f"AGPA{g:017d}",
                    "account_id": ACCOUNT,
                    "name": f"group-{g}",
                    "name_key": f"group-{g}",
                    "path": "/",
                    "created_at": created,
                }
                for g in range(GROUPS)
            ],
        )
        policies, versions = [], []
        for p in range(POLICIES):
            arn = f"arn:aws:iam::{ACCOUNT}:policy/policy-{p}"
            policies.append(
                {
                    "policy_id": f"ANPA{p:017d}",
                    "account_id": ACCOUNT,
                    "name": f"policy-{p}",
                    "name_key": f"policy-{p}",
                    "path": "/",
                    "arn": arn,
                    "default_version": "v1",
                    "next_version": 2,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            actions = ("iam:CreateAccessKey",) if p % 20 == 0 else (f"s3:Get{p}*", "ec2:Describe*")
            versions.append(
                {
                    "policy_id": f"ANPA{p:017d}",
                    "version_id": "v1",
                    "document": _document(*actions),
                    "created_at": created,
                }
            )
        _insert(tx, t.managed_policies, policies)
        _insert(tx, t.policy_versions, versions)
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        _insert(
            tx,
            t.roles,
            [
                {
                    "role_id": f"AROA{r:017d}",
                    "account_id": ACCOUNT,
                    "name": f"role-{r}",
                    "name_key": f"role-{r}",
                    "path": "/",
                    "trust_policy": trust,
                    "max_session_duration": 3600,
                    "service_linked": False,
                    "created_at": created,
                }
                for r in range(ROLES)
            ],
        )
        attachments = [
            {
                "account_id": ACCOUNT,
                "entity_kind": "group",
                "entity_id": f"AGPA{g:017d}",
                "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{g}",
                "attached_at": created,
            }
            for g in range(GROUPS)
        ] + [
            {
                "account_id": ACCOUNT,
                "entity_kind": "role",
                "entity_id": f"AROA{r:017d}",
                "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{r % POLICIES}",
                "attached_at": created,
            }
            for r in range(ROLES)
        ]
        user_rows, members, profiles, keys, devices, inline = [], [], [], [], [], []
        for u in range(users):
            user_id = f"AIDA{u:017d}"
            name = f"user-{u:06d}"
            user_rows.append(
                {
                    "user_id": user_id,
                    "account_id": ACCOUNT,
                    "name": name,
                    "name_key": name,
                    "path": "/",
                    "created_at": created,
                    "password_last_used": NOW - timedelta(days=u % 90) if u % 2 == 0 else None,
                }
            )
            members.append(
                {"group_id": f"AGPA{u % GROUPS:017d}", "user_id": user_id, "added_at": created}
            )
            if u % 2 == 0:
                profiles.append(
                    {
                        "user_id": user_id,
                        "password_hash": "$argon2id$bench",
                        "password_reset_required": False,
                        "created_at": created,
                        "password_changed_at": NOW - timedelta(days=u % 120),
                    }
                )
            key_created = NOW - timedelta(days=u % 200)
            keys.append(
                {
                    "access_key_id": f"AKIA{u:016d}",
                    "account_id": ACCOUNT,
                    "user_id": user_id,
                    "secret_sealed": b"bench",
                    "status": "Active",
                    "created_at": key_created,
                    "last_used_at": key_created + timedelta(days=1) if u % 3 else None,
                    "last_used_service": "s3" if u % 3 else None,
                    "last_used_region": "eu-west-1" if u % 3 else None,
                }
            )
            if u % 10 == 0:
                keys.append(
                    {
                        "access_key_id": f"AKIB{u:016d}",
                        "account_id": ACCOUNT,
                        "user_id": user_id,
                        "secret_sealed": b"bench",
                        "status": "Inactive",
                        "created_at": key_created,
                        "last_used_at": None,
                        "last_used_service": None,
                        "last_used_region": None,
                    }
                )
            if u % 3 == 0:
                devices.append(
                    {
                        "serial_number": f"arn:aws:iam::{ACCOUNT}:mfa/{name}",
                        "account_id": ACCOUNT,
                        "name": name,
                        "path": "/",
                        "seed_sealed": b"bench",
                        "user_id": user_id,
                        "for_root": False,
                        "created_at": created,
                        "enabled_at": created,
                    }
                )
            if u % 10 == 0:
                attachments.append(
                    {
                        "account_id": ACCOUNT,
                        "entity_kind": "user",
                        "entity_id": user_id,
                        "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{u % POLICIES}",
                        "attached_at": created,
                    }
                )
            if u % 20 == 0:
                variant = u % INLINE_DOCUMENTS
                inline.append(
                    {
                        "entity_kind": "user",
                        "entity_id": user_id,
                        "name_key": "own",
                        "name": "own",
                        "document": _document(
                            f"dynamodb:Query{variant}",
                            "iam:PassRole" if variant % 5 == 0 else "sqs:Send*",
                        ),
                    }
                )
        _insert(tx, t.users, user_rows)
        _insert(tx, t.group_members, members)
        _insert(tx, t.login_profiles, profiles)
        _insert(tx, t.access_keys, keys)
        _insert(tx, t.mfa_devices, devices)
        _insert(tx, t.attachments, attachments)
        _insert(tx, t.inline_policies, inline)
    return store


def time_report(store: Store) -> tuple[float, int]:
    started = time.perf_counter()
    with store.snapshot() as tx:
        content = credential_report.render(credential_report.report_rows(tx, ACCOUNT))
    return time.perf_counter() - started, content.count(b"\n")


def time_audit(store: Store) -> tuple[float, int]:
    grants_of.cache_clear()  # every audit parses its policies afresh, as a new process would
    started = time.perf_counter()
    with store.snapshot() as tx:
        report = run_audit(snapshot_from_store(tx, ACCOUNT))
    elapsed = time.perf_counter() - started
    return elapsed, sum(len(r.findings) for r in report.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs=2, default=[10_000, 100_000], metavar=("SMALL", "LARGE")
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    small, large = args.sizes
    with tempfile.TemporaryDirectory(prefix="stockade-bench-posture-") as tmp:
        stores = {}
        for size in (small, large):
            started = time.perf_counter()
            stores[size] = build(Path(tmp) / str(size), size)
            print(
                f"built {size:,} users in {time.perf_counter() - started:.1f} s (not timed below)",
                flush=True,
            )
        # Untimed warm-up: loads what a process loads once (the AWS managed policies, imports).
        time_report(stores[small])
        time_audit(stores[small])
        for run in range(1, args.runs + 1):
            figures = {}
            for size in (small, large):
                report_s, rows = time_report(stores[size])
                audit_s, findings = time_audit(stores[size])
                assert rows == size + 1, (rows, size)  # root and every user, header apart
                figures[size] = (report_s, audit_s, findings)
            (r1, a1, _), (r2, a2, f2) = figures[small], figures[large]
            ratio_report = (r2 / r1) / (large / small)
            ratio_audit = (a2 / a1) / (large / small)
            print(
                f"run {run}: report {small:,} users {r1:.2f} s, {large:,} users {r2:.2f} s "
                f"(growth ratio {ratio_report:.2f}); audit {small:,} users {a1:.2f} s, "
                f"{large:,} users {a2:.2f} s (growth ratio {ratio_audit:.2f}, {f2:,} findings)",
                flush=True,
            )
        for store in stores.values():
            store.close()


if __name__ == "__main__":
    main()
