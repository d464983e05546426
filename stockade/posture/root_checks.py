"""The root user: access keys, MFA, hardware MFA, use (CIS 2.4-2.7; the dashboard's first two)."""

from __future__ import annotations

from collections.abc import Iterator

from stockade.posture.model import Finding, Severity
from stockade.posture.registry import Thresholds, check, days_since, finding, is_true, when
from stockade.posture.snapshot import Snapshot

_ROOT = "<root_account>"
_SECURITY_CREDENTIALS = "Sign in as the root user; account menu (top right) → Security credentials"


def _without_credentials(row: dict[str, str]) -> bool:
    """No password and no active key: nothing to sign in or sign with (an Organizations member
    account under centralized root access)."""
    return not is_true(row.get("password_enabled")) and not any(
        is_true(row.get(f"access_key_{n}_active")) for n in (1, 2)
    )


def _root(snapshot: Snapshot) -> tuple[str, dict[str, str]]:
    row = snapshot.root_row
    return f"arn:aws:iam::{snapshot.account_id}:root", dict(row or {})


@check(
    "root-access-keys",
    "Ensure no 'root' user account access key exists",
    Severity.CRITICAL,
    cis="2.4",
    dashboard="Deactivate or delete access keys for root user",
    prowler=("iam_no_root_access_key",),
    console=f"{_SECURITY_CREDENTIALS} → Access keys → Actions → Deactivate, then Delete",
    cli="aws iam delete-access-key --access-key-id ACCESS_KEY_ID  (signed as the root user)",
)
def root_access_keys(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """The root user can do anything and cannot be limited by policy; a key for it is a key to
    the whole account. Active root keys (credential report, `access_key_N_active`) fail."""
    arn, row = _root(snapshot)
    active = [n for n in (1, 2) if is_true(row.get(f"access_key_{n}_active"))]
    if active:
        which = " and ".join(f"access key {n}" for n in active)
        yield finding(arn, _ROOT, False, f"the root user has an active {which}")
    else:
        yield finding(arn, _ROOT, True, "the root user has no active access keys")


@check(
    "root-mfa",
    "Ensure MFA is enabled for the 'root' user account",
    Severity.CRITICAL,
    cis="2.5",
    dashboard="Add MFA for root user",
    prowler=("iam_root_mfa_enabled",),
    console=f"{_SECURITY_CREDENTIALS} → Multi-factor authentication (MFA) → Assign MFA device",
    cli="aws iam create-virtual-mfa-device --virtual-mfa-device-name root-account-mfa-device "
    "--outfile root-mfa.png --bootstrap-method QRCodePNG; aws iam enable-mfa-device "
    "--serial-number SERIAL --authentication-code1 CODE1 --authentication-code2 CODE2  "
    "(signed as the root user)",
)
def root_mfa(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """Root must have an MFA device, unless it has no credentials at all (CIS: `mfa_active`
    true, or `password_enabled` false)."""
    arn, row = _root(snapshot)
    if is_true(row.get("mfa_active")):
        yield finding(arn, _ROOT, True, "the root user has an MFA device")
    elif _without_credentials(row):
        yield finding(arn, _ROOT, True, "the root user has no password and no active key")
    else:
        yield finding(arn, _ROOT, False, "the root user has no MFA device")


@check(
    "root-hardware-mfa",
    "Ensure hardware MFA is enabled for the 'root' user account",
    Severity.CRITICAL,
    cis="2.6",
    prowler=("iam_root_hardware_mfa_enabled",),
    console=f"{_SECURITY_CREDENTIALS} → Multi-factor authentication (MFA) → Assign MFA device "
    "→ Hardware TOTP token or Passkey/security key (Stockade itself offers virtual devices only)",
    cli="aws iam enable-mfa-device --serial-number HARDWARE_SERIAL --authentication-code1 CODE1 "
    "--authentication-code2 CODE2  (signed as the root user)",
)
def root_hardware_mfa(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """Root's MFA should be a device apart from any phone: it fails with no MFA, or with a
    virtual device enabled for root (ListVirtualMFADevices names root as its user)."""
    arn, row = _root(snapshot)
    virtual = [d.serial_number for d in snapshot.mfa_devices if d.user_arn == arn and d.virtual]
    if _without_credentials(row):
        yield finding(arn, _ROOT, True, "the root user has no password and no active key")
    elif not is_true(row.get("mfa_active")):
        yield finding(arn, _ROOT, False, "the root user has no MFA device")
    elif virtual:
        yield finding(arn, _ROOT, False, f"the root user's MFA is virtual ({virtual[0]})")
    else:
        yield finding(arn, _ROOT, True, "the root user's MFA is a hardware device")


@check(
    "root-usage",
    "Eliminate use of the 'root' user for administrative and daily tasks",
    Severity.HIGH,
    cis="2.7",
    prowler=("iam_avoid_root_usage",),
    console="IAM → Users → Create user (an administrator in a group with AdministratorAccess); "
    "then sign in as that user instead of root",
    cli="aws iam create-user --user-name admin; aws iam add-user-to-group --user-name admin "
    "--group-name Administrators",
)
def root_usage(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    """Root's password or keys used within `root_usage_days` (credential report) fail."""
    arn, row = _root(snapshot)
    uses = {
        "password": when(row.get("password_last_used")),
        "access key 1": when(row.get("access_key_1_last_used_date")),
        "access key 2": when(row.get("access_key_2_last_used_date")),
    }
    recent = [
        f"{what} on {moment.isoformat()}"
        for what, moment in uses.items()
        if moment is not None and days_since(snapshot, moment) < limits.root_usage_days
    ]
    if recent:
        yield finding(arn, _ROOT, False, "the root user was used recently: " + ", ".join(recent))
    else:
        yield finding(
            arn,
            _ROOT,
            True,
            f"the root user was not used in the last {limits.root_usage_days} day(s)",
        )
