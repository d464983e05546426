"""IAM users' credentials (credential report) and how they get permissions (CIS 2.10-2.13)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stockade.posture.model import Finding, Severity
from stockade.posture.registry import Thresholds, check, days_since, finding, is_true, when
from stockade.posture.snapshot import Snapshot

_USER_PAGE = "IAM → Users → USER → Security credentials"
_KEYS = (1, 2)


def _active_keys(row: Mapping[str, str]) -> list[int]:
    return [n for n in _KEYS if is_true(row.get(f"access_key_{n}_active"))]


@check(
    "user-console-mfa",
    "Ensure MFA is enabled for all IAM users that have a console password",
    Severity.HIGH,
    cis="2.10",
    prowler=("iam_user_mfa_enabled_console_access",),
    console=f"{_USER_PAGE} → Multi-factor authentication (MFA) → Assign MFA device",
    cli="aws iam create-virtual-mfa-device --virtual-mfa-device-name USER --outfile USER.png "
    "--bootstrap-method QRCodePNG; aws iam enable-mfa-device --user-name USER --serial-number "
    "SERIAL --authentication-code1 CODE1 --authentication-code2 CODE2",
)
def console_mfa(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """Every user with a console password (`password_enabled`) has an MFA device."""
    for row in snapshot.user_rows:
        if is_true(row.get("password_enabled")):
            has = is_true(row.get("mfa_active"))
            reason = "has an MFA device" if has else "has a console password and no MFA device"
            yield finding(row["arn"], row["user"], has, reason)


@check(
    "unused-credentials",
    "Ensure credentials unused for 45 days or more are disabled",
    Severity.MEDIUM,
    cis="2.11",
    prowler=("iam_user_accesskey_unused", "iam_user_console_access_unused"),
    console=f"{_USER_PAGE} → Console sign-in → Disable console access; Access keys → "
    "Actions → Deactivate",
    cli="aws iam delete-login-profile --user-name USER; aws iam update-access-key --user-name "
    "USER --access-key-id ACCESS_KEY_ID --status Inactive",
)
def unused_credentials(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    """A password or active key not used for `unused_credentials_days` fails; one never used
    counts from when it was set (a key from its creation), so a credential handed out and never
    used is caught too."""
    limit = limits.unused_credentials_days
    for row in snapshot.user_rows:
        stale = []
        if is_true(row.get("password_enabled")):
            since = when(row.get("password_last_used")) or when(row.get("password_last_changed"))
            if since is not None and days_since(snapshot, since) >= limit:
                stale.append(f"password unused for {days_since(snapshot, since)} days")
        for n in _active_keys(row):
            since = when(row.get(f"access_key_{n}_last_used_date")) or when(
                row.get(f"access_key_{n}_last_rotated")
            )
            if since is not None and days_since(snapshot, since) >= limit:
                stale.append(f"access key {n} unused for {days_since(snapshot, since)} days")
        if not is_true(row.get("password_enabled")) and not _active_keys(row):
            continue
        if stale:
            yield finding(row["arn"], row["user"], False, "; ".join(stale))
        else:
            yield finding(row["arn"], row["user"], True, f"credentials used within {limit} days")


@check(
    "single-active-access-key",
    "Ensure there is only one active access key for any single IAM user",
    Severity.MEDIUM,
    prowler=("iam_user_two_active_access_key",),
    console=f"{_USER_PAGE} → Access keys → Actions → Deactivate (the older key)",
    cli="aws iam update-access-key --user-name USER --access-key-id OLDER_KEY_ID --status Inactive",
    description="CIS v6.0 2.12 (dropped from v7.0). Two active keys are meant only for the "
    "moment of a rotation.",
)
def single_active_key(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for row in snapshot.user_rows:
        active = _active_keys(row)
        if active:
            yield finding(
                row["arn"],
                row["user"],
                len(active) < 2,
                "two active access keys" if len(active) > 1 else "one active access key",
            )


@check(
    "access-key-rotation",
    "Ensure access keys are rotated every 90 days or less",
    Severity.MEDIUM,
    cis="2.12",
    prowler=("iam_rotate_access_key_90_days",),
    console=f"{_USER_PAGE} → Access keys → Create access key; update its users; then "
    "Deactivate and Delete the old key",
    cli="aws iam create-access-key --user-name USER; aws iam update-access-key --user-name USER "
    "--access-key-id OLD_KEY_ID --status Inactive; aws iam delete-access-key --user-name USER "
    "--access-key-id OLD_KEY_ID",
)
def key_rotation(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    """An active key created (`access_key_N_last_rotated`) more than
    `access_key_rotation_days` ago fails."""
    limit = limits.access_key_rotation_days
    for row in snapshot.user_rows:
        active = _active_keys(row)
        if not active:
            continue
        old = []
        for n in active:
            rotated = when(row.get(f"access_key_{n}_last_rotated"))
            if rotated is not None and days_since(snapshot, rotated) > limit:
                old.append(f"access key {n} is {days_since(snapshot, rotated)} days old")
        reason = "; ".join(old) if old else f"active keys are at most {limit} days old"
        yield finding(row["arn"], row["user"], not old, reason)


@check(
    "initial-access-key-unused",
    "Do not set up access keys during initial user setup for IAM users with a console password",
    Severity.MEDIUM,
    prowler=("iam_user_no_setup_initial_access_key",),
    console=f"{_USER_PAGE} → Access keys → Actions → Delete (the key never used)",
    cli="aws iam delete-access-key --user-name USER --access-key-id ACCESS_KEY_ID",
    description="CIS v6.0 2.10 (dropped from v7.0): a console user with an active key that was "
    "never used got it at setup, not because a program needed it.",
)
def initial_access_key(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for row in snapshot.user_rows:
        if not is_true(row.get("password_enabled")):
            continue
        never = [
            n for n in _active_keys(row) if when(row.get(f"access_key_{n}_last_used_date")) is None
        ]
        if never:
            yield finding(
                row["arn"], row["user"], False, f"active access key {never[0]} was never used"
            )
        elif _active_keys(row):
            yield finding(row["arn"], row["user"], True, "its active keys have been used")


@check(
    "permissions-through-groups",
    "Ensure IAM users receive permissions only through groups",
    Severity.LOW,
    cis="2.13",
    prowler=("iam_policy_attached_only_to_group_or_roles",),
    console="IAM → Users → USER → Permissions → Remove (then add the user to a group with "
    "those permissions: IAM → User groups → GROUP → Users → Add users)",
    cli="aws iam detach-user-policy --user-name USER --policy-arn POLICY_ARN; aws iam "
    "delete-user-policy --user-name USER --policy-name NAME; aws iam add-user-to-group "
    "--user-name USER --group-name GROUP",
)
def through_groups(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A user with a policy attached directly, or an inline policy, fails."""
    for user in snapshot.users:
        direct = [f"attached {arn}" for arn in user.attached] + [
            f"inline {p.name}" for p in user.inline
        ]
        if direct:
            yield finding(user.arn, user.name, False, "direct policies: " + ", ".join(direct))
        else:
            yield finding(user.arn, user.name, True, "no policies of its own")
