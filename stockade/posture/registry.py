"""Checks register here, with what they are (CheckInfo) and how they run on a snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from stockade.posture.model import CheckInfo, Finding, Remediation, Severity, Status
from stockade.posture.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers checks compare with; the defaults are the CIS benchmark's (and Prowler's
    for what CIS does not set)."""

    minimum_password_length: int = 14  # CIS 2.8
    password_reuse_prevention: int = 24  # CIS 2.9
    max_password_age_days: int = 90  # Prowler
    unused_credentials_days: int = 45  # CIS 2.11
    access_key_rotation_days: int = 90  # CIS 2.12
    root_usage_days: int = 1  # Prowler's iam_avoid_root_usage

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


CheckRun = Callable[[Snapshot, Thresholds], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    info: CheckInfo
    run: CheckRun


CHECKS: list[Check] = []


def check(
    id: str,
    title: str,
    severity: Severity,
    *,
    console: str,
    cli: str,
    cis: str | None = None,
    dashboard: str | None = None,
    prowler: tuple[str, ...] = (),
    description: str = "",
) -> Callable[[CheckRun], CheckRun]:
    def register(run: CheckRun) -> CheckRun:
        info = CheckInfo(
            id=id,
            title=title,
            severity=severity,
            remediation=Remediation(console=console, cli=cli),
            cis=cis,
            dashboard=dashboard,
            prowler=prowler,
            description=description or (run.__doc__ or "").strip(),
        )
        CHECKS.append(Check(info, run))
        return run

    return register


# -- helpers the checks share ----------------------------------------------------------------
SENTINELS = frozenset({"N/A", "no_information", "not_supported", ""})


def when(value: str | None) -> datetime | None:
    """A credential-report time, or None for its sentinels."""
    if value is None or value in SENTINELS:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def is_true(value: str | None) -> bool:
    # The report writes lower case; the guide's TRUE is accepted too. Called ~10^6 times.
    return value == "true" or (value is not None and value.lower() == "true")


def finding(arn: str, name: str, passed: bool, reason: str) -> Finding:
    return Finding(arn, name, Status.PASS if passed else Status.FAIL, reason)


def not_applicable(arn: str, name: str, reason: str) -> Finding:
    return Finding(arn, name, Status.NOT_APPLICABLE, reason)


def account_arn(snapshot: Snapshot) -> str:
    return f"arn:aws:iam::{snapshot.account_id}:root"


def days_since(snapshot: Snapshot, moment: datetime) -> int:
    return (snapshot.taken_at - moment).days
