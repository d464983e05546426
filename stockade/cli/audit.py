"""`stockade audit`: the posture checks on an account in a store, or over an IAM endpoint."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stockade.posture import AuditReport, Thresholds

SEVERITIES = ("informational", "low", "medium", "high", "critical")
# Exit codes: 0 nothing failed at or above --fail-on; 10 + the worst failing severity's rank
# (informational 10, low 11, medium 12, high 13, critical 14); 1 the account could not be
# read; 2 bad arguments (argparse's own).
EXIT_CANNOT_READ = 1
EXIT_FAILED_BASE = 10


def register(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="check an account against the IAM dashboard's recommendations, CIS and Prowler",
        description="Run the security posture checks (docs/posture.md) on one account.",
    )
    where = audit.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, help="a Stockade data directory (SQLite)")
    where.add_argument("--database-url", help="a Stockade PostgreSQL database URL")
    where.add_argument(
        "--endpoint",
        help="an IAM endpoint URL to audit over the API (AWS's or a Stockade server's); "
        "credentials from the environment, as for the aws CLI",
    )
    audit.add_argument("--account-id", help="which account of the store (default: its only one)")
    audit.add_argument("--format", choices=("text", "json", "csv", "sarif"), default="text")
    audit.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "none"),
        default="low",
        help="exit non-zero when a check of this severity or above fails (default: low)",
    )
    audit.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=N",
        help="change a threshold, e.g. unused_credentials_days=30 (names: docs/posture.md)",
    )
    audit.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="CHECK_ID",
        help="leave a check out (repeatable), e.g. root-hardware-mfa where virtual MFA is accepted",
    )
    audit.add_argument("--output", "-o", type=Path, help="write the report here, not stdout")
    audit.set_defaults(run=run_audit_command)


def parse_thresholds(pairs: list[str]) -> Thresholds:
    from dataclasses import replace

    from stockade.posture import Thresholds

    changes: dict[str, int] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in Thresholds.names() or not value.isdigit():
            raise ValueError(
                f"--threshold wants NAME=N with NAME one of {', '.join(Thresholds.names())}"
            )
        changes[name] = int(value)
    return replace(Thresholds(), **changes)


def _from_store(args: argparse.Namespace, thresholds: Thresholds) -> AuditReport:
    from stockade.cli.server import default_data_dir
    from stockade.identity.accounts import list_account_ids
    from stockade.posture import run_audit, snapshot_from_store
    from stockade.store import Store

    if args.database_url:
        store = Store(args.database_url)
    else:
        database = (args.data_dir or default_data_dir()) / "stockade.db"
        if not database.exists():
            raise LookupError(f"no Stockade database at {database}")
        store = Store(f"sqlite:///{database}")
    try:
        with store.snapshot() as tx:
            accounts = list_account_ids(tx)
            account_id = args.account_id
            if account_id is None:
                if len(accounts) != 1:
                    raise LookupError(
                        "the store holds "
                        + (f"accounts {', '.join(accounts)}" if accounts else "no account")
                        + ": name one with --account-id"
                    )
                account_id = accounts[0]
            elif account_id not in accounts:
                raise LookupError(f"the store holds no account {account_id}")
            return run_audit(snapshot_from_store(tx, account_id), thresholds, args.skip)
    finally:
        store.close()


def _from_endpoint(args: argparse.Namespace, thresholds: Thresholds) -> AuditReport:
    from stockade.posture import run_audit
    from stockade.posture.remote import iam_client, snapshot_from_api

    return run_audit(snapshot_from_api(iam_client(args.endpoint)), thresholds, args.skip)


def exit_code(report: AuditReport, fail_on: str) -> int:
    worst = report.worst_failure()
    if worst is None or fail_on == "none" or worst.rank < SEVERITIES.index(fail_on):
        return 0
    return EXIT_FAILED_BASE + worst.rank


def run_audit_command(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError
    from sqlalchemy.exc import SQLAlchemyError

    from stockade.posture import all_checks
    from stockade.posture.render import render

    try:
        thresholds = parse_thresholds(args.threshold)
        known = {check.info.id for check in all_checks()}
        unknown = sorted(set(args.skip) - known)
        if unknown:
            raise ValueError(f"--skip: no check {', '.join(unknown)} (see docs/posture.md)")
    except ValueError as exc:
        print(f"stockade audit: {exc}", file=sys.stderr)
        return 2
    try:
        if args.endpoint:
            report = _from_endpoint(args, thresholds)
        else:
            report = _from_store(args, thresholds)
    except LookupError as exc:
        print(f"stockade audit: {exc}", file=sys.stderr)
        return EXIT_CANNOT_READ
    except (BotoCoreError, ClientError, SQLAlchemyError) as exc:
        print(f"stockade audit: cannot read the account: {exc}", file=sys.stderr)
        return EXIT_CANNOT_READ
    if args.output:
        args.output.write_text(render(report, args.format))
    else:
        colour = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(render(report, args.format, colour=colour))
    return exit_code(report, args.fail_on)
