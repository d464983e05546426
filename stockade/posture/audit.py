"""Run every check on a snapshot."""

from __future__ import annotations

from collections.abc import Collection

from stockade.identity.bulk import no_collection_pauses
from stockade.posture import (
    account_checks,
    password_checks,
    policy_checks,
    root_checks,
    user_checks,
)
from stockade.posture.model import AuditReport, CheckResult
from stockade.posture.registry import CHECKS, Check, Thresholds
from stockade.posture.snapshot import Snapshot

# Imported for their registrations, in the order the report lists them.
_MODULES = (root_checks, password_checks, user_checks, policy_checks, account_checks)


def all_checks() -> tuple[Check, ...]:
    """Every check: the root user first, then passwords, users, policies, the account."""
    order = [module.__name__ for module in _MODULES]
    return tuple(sorted(CHECKS, key=lambda check: order.index(check.run.__module__)))


def run_audit(
    snapshot: Snapshot, thresholds: Thresholds | None = None, skip: Collection[str] = ()
) -> AuditReport:
    """Every check but those in `skip` (check ids), in `all_checks()` order."""
    limits = thresholds or Thresholds()
    with no_collection_pauses():  # hundreds of thousands of findings: see its docstring
        results = tuple(
            CheckResult(check.info, tuple(check.run(snapshot, limits)))
            for check in all_checks()
            if check.info.id not in skip
        )
    return AuditReport(
        snapshot.account_id,
        snapshot.taken_at,
        results,
        {name: getattr(limits, name) for name in Thresholds.names()},
    )
