"""The account password policy (CIS 2.8-2.9, the dashboard's "Apply an IAM password policy",
Prowler's expiry and character-class checks).

With no custom policy AWS applies its default (8 characters, three character classes), which no
check here accepts: Prowler does the same with GetAccountPasswordPolicy's NoSuchEntity.
"""

from __future__ import annotations

from collections.abc import Iterator

from stockade.posture.model import Finding, Severity
from stockade.posture.registry import Thresholds, account_arn, check, finding
from stockade.posture.snapshot import Snapshot

_NAME = "account password policy"
_CONSOLE = "IAM → Account settings → Password policy → Edit → Custom"


def _cli(option: str) -> str:
    return (
        f"aws iam update-account-password-policy {option}  (the call replaces the whole "
        "policy: repeat every setting you keep)"
    )


@check(
    "password-policy",
    "Apply an IAM password policy",
    Severity.MEDIUM,
    dashboard="Apply an IAM password policy",
    console=_CONSOLE,
    cli=_cli("--minimum-password-length 14 --password-reuse-prevention 24"),
)
def policy_exists(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A custom password policy exists (GetAccountPasswordPolicy does not answer NoSuchEntity)."""
    present = snapshot.password_policy is not None
    reason = "a custom password policy is set" if present else "no custom password policy"
    yield finding(account_arn(snapshot), _NAME, present, reason)


@check(
    "password-minimum-length",
    "Ensure IAM password policy requires minimum length of 14 or greater",
    Severity.MEDIUM,
    cis="2.8",
    prowler=("iam_password_policy_minimum_length_14",),
    console=_CONSOLE + " → Password minimum length",
    cli=_cli("--minimum-password-length 14"),
)
def minimum_length(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    policy = snapshot.password_policy
    length = int(policy.get("MinimumPasswordLength", 0)) if policy else None
    wanted = limits.minimum_password_length
    if length is None:
        yield finding(account_arn(snapshot), _NAME, False, "no custom password policy")
    else:
        reason = f"minimum length {length} (wanted at least {wanted})"
        yield finding(account_arn(snapshot), _NAME, length >= wanted, reason)


@check(
    "password-reuse-prevention",
    "Ensure IAM password policy prevents password reuse",
    Severity.MEDIUM,
    cis="2.9",
    prowler=("iam_password_policy_reuse_24",),
    console=_CONSOLE + " → Prevent password reuse → 24",
    cli=_cli("--password-reuse-prevention 24"),
)
def reuse_prevention(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    policy = snapshot.password_policy
    remembered = int(policy.get("PasswordReusePrevention") or 0) if policy else None
    wanted = limits.password_reuse_prevention
    if remembered is None:
        yield finding(account_arn(snapshot), _NAME, False, "no custom password policy")
    else:
        reason = f"remembers {remembered} previous passwords (wanted {wanted})"
        yield finding(account_arn(snapshot), _NAME, remembered >= wanted, reason)


@check(
    "password-expiry",
    "Ensure IAM password policy expires passwords within 90 days or less",
    Severity.MEDIUM,
    prowler=("iam_password_policy_expires_passwords_within_90_days_or_less",),
    console=_CONSOLE + " → Turn on password expiration → 90 days",
    cli=_cli("--max-password-age 90"),
)
def expiry(snapshot: Snapshot, limits: Thresholds) -> Iterator[Finding]:
    policy = snapshot.password_policy
    age = int(policy.get("MaxPasswordAge") or 0) if policy else 0
    wanted = limits.max_password_age_days
    if not age:
        yield finding(account_arn(snapshot), _NAME, False, "passwords never expire")
    else:
        reason = f"passwords expire after {age} days (wanted at most {wanted})"
        yield finding(account_arn(snapshot), _NAME, age <= wanted, reason)


def _character_class(field: str, option: str, words: str, one: str, prowler: str) -> None:
    @check(
        f"password-requires-{words}",
        f"Ensure IAM password policy requires at least one {one}",
        Severity.MEDIUM,
        prowler=(prowler,),
        console=_CONSOLE + f" → Require at least one {one}",
        cli=_cli(option),
    )
    def requires(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
        policy = snapshot.password_policy
        required = bool(policy and policy.get(field))
        reason = f"{words} {'required' if required else 'not required'}"
        yield finding(account_arn(snapshot), _NAME, required, reason)


_character_class(
    "RequireUppercaseCharacters",
    "--require-uppercase-characters",
    "uppercase",
    "uppercase letter",
    "iam_password_policy_uppercase",
)
_character_class(
    "RequireLowercaseCharacters",
    "--require-lowercase-characters",
    "lowercase",
    "lowercase letter",
    "iam_password_policy_lowercase",
)
_character_class(
    "RequireNumbers", "--require-numbers", "numbers", "number", "iam_password_policy_number"
)
_character_class(
    "RequireSymbols", "--require-symbols", "symbols", "symbol", "iam_password_policy_symbol"
)
