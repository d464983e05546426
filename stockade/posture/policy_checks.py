"""What policies grant (CIS 2.14, 2.20; Prowler's administrator, privilege-escalation and
role-assumption checks), decided by the policy engine (`stockade.posture.grants`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from stockade.policy.escalation import ESCALATION_METHODS
from stockade.posture.grants import Grant, grants_of
from stockade.posture.model import Finding, Severity
from stockade.posture.registry import Thresholds, check, finding, is_true
from stockade.posture.snapshot import Entity, Snapshot

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
CLOUDSHELL_FULL_ACCESS = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"

# The privilege-escalation methods, defined once for the checks and `stockade policy diff`
# (stockade.policy.escalation): Rhino Security Labs' 21, each a set of actions that, allowed
# together, lets a principal give itself more than it has. `sts:AssumeRole` on `*` has its own
# check (permissive-role-assumption).
ESCALATIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (method.title[0].lower() + method.title[1:], method.actions)
    for method in ESCALATION_METHODS
    if method.resource is None
)


@dataclass(frozen=True, slots=True)
class _Document:
    """A document to judge, and how to name it in a finding."""

    arn: str
    name: str
    text: str


def _inline_documents(snapshot: Snapshot) -> Iterator[_Document]:
    for entity in (*snapshot.users, *snapshot.groups, *snapshot.roles):
        for policy in entity.inline:
            yield _Document(
                entity.arn, f"{entity.kind} {entity.name}: {policy.name}", policy.document
            )


def _customer_documents(snapshot: Snapshot) -> Iterator[_Document]:
    for policy in snapshot.policies.values():
        if not policy.aws_managed:
            yield _Document(policy.arn, policy.name, policy.document)


def _admin_reason(grant: Grant) -> str:
    extra = " (under conditions)" if grant.conditional else ""
    return f'allows "*" on "*"{extra}'


_DETACH = (
    "IAM → Policies → POLICY → Entities attached → Detach (or edit the policy to name the "
    "actions and resources needed)"
)


@check(
    "admin-policy-attached",
    'Ensure IAM policies that allow full "*:*" administrative privileges are not attached',
    Severity.HIGH,
    cis="2.14",
    prowler=(
        "iam_aws_attached_policy_no_administrative_privileges",
        "iam_customer_attached_policy_no_administrative_privileges",
    ),
    console=_DETACH,
    cli="aws iam list-entities-for-policy --policy-arn POLICY_ARN; aws iam detach-user-policy | "
    "detach-group-policy | detach-role-policy --policy-arn POLICY_ARN ...",
)
def admin_attached(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A managed policy (AWS or customer) that is attached and allows every action on every
    resource fails."""
    for policy in snapshot.policies.values():
        if policy.attachment_count:
            grant = grants_of(policy.document).full_admin()
            reason = (
                _admin_reason(grant) + f", attached to {policy.attachment_count}"
                if grant.granted
                else 'does not allow "*" on "*"'
            )
            yield finding(policy.arn, policy.name, not grant.granted, reason)


@check(
    "admin-inline-policy",
    'Ensure inline policies do not allow full "*:*" administrative privileges',
    Severity.HIGH,
    cis="2.14",
    prowler=("iam_inline_policy_no_administrative_privileges",),
    console="IAM → Users | User groups | Roles → ENTITY → Permissions → POLICY → Remove (or Edit)",
    cli="aws iam delete-user-policy | delete-group-policy | delete-role-policy --policy-name "
    "NAME ...",
)
def admin_inline(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for document in _inline_documents(snapshot):
        grant = grants_of(document.text).full_admin()
        reason = _admin_reason(grant) if grant.granted else 'does not allow "*" on "*"'
        yield finding(document.arn, document.name, not grant.granted, reason)


@check(
    "admin-policy-unattached",
    'Ensure unattached customer managed policies do not allow full "*:*" privileges',
    Severity.MEDIUM,
    prowler=("iam_customer_unattached_policy_no_administrative_privileges",),
    console="IAM → Policies → POLICY → Delete (or Edit to name what is needed)",
    cli="aws iam delete-policy --policy-arn POLICY_ARN",
)
def admin_unattached(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for policy in snapshot.policies.values():
        if not policy.aws_managed and not policy.attachment_count:
            grant = grants_of(policy.document).full_admin()
            reason = _admin_reason(grant) if grant.granted else 'does not allow "*" on "*"'
            yield finding(policy.arn, policy.name, not grant.granted, reason)


def _administrator_access(kind: str, severity: Severity, prowler: str) -> None:
    plural = {"user": "Users", "group": "User groups", "role": "Roles"}[kind]

    @check(
        f"administrator-access-{kind}",
        f"Ensure AdministratorAccess is not attached to an IAM {kind}",
        severity,
        prowler=(prowler,),
        console=f"IAM → {plural} → {kind.upper()} → Permissions → AdministratorAccess → Remove",
        cli=f"aws iam detach-{kind}-policy --{kind}-name NAME --policy-arn {ADMINISTRATOR_ACCESS}",
    )
    def attached(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
        entities: tuple[Entity, ...] = {
            "user": snapshot.users,
            "group": snapshot.groups,
            "role": snapshot.roles,
        }[kind]
        for entity in entities:
            if kind == "role" and entity.path.startswith("/aws-service-role/"):
                continue  # service-linked roles get their policies from AWS
            has = ADMINISTRATOR_ACCESS in entity.attached
            reason = "AdministratorAccess attached" if has else "AdministratorAccess not attached"
            yield finding(entity.arn, entity.name, not has, reason)


_administrator_access("user", Severity.CRITICAL, "iam_user_administrator_access_policy")
_administrator_access("group", Severity.HIGH, "iam_group_administrator_access_policy")
_administrator_access("role", Severity.HIGH, "iam_role_administratoraccess_policy")


def _escalations(text: str) -> list[str]:
    grants = grants_of(text)
    return [
        f"{label} ({' + '.join(actions)})"
        for label, actions in ESCALATIONS
        if all(grants.allows_somewhere(action).granted for action in actions)
    ]


_ESCALATION_CLI = (
    "aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://narrower.json "
    "--set-as-default"
)


@check(
    "privilege-escalation",
    "Ensure customer managed policies do not allow privilege escalation",
    Severity.HIGH,
    prowler=("iam_policy_allows_privilege_escalation",),
    console="IAM → Policies → POLICY → Edit: remove the actions named, or limit their resources",
    cli=_ESCALATION_CLI,
)
def escalation_managed(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A customer managed policy that allows one of the known privilege-escalation action
    combinations (on some resource) fails, naming each combination."""
    for document in _customer_documents(snapshot):
        found = _escalations(document.text)
        reason = "allows " + "; ".join(found) if found else "no escalation combination"
        yield finding(document.arn, document.name, not found, reason)


@check(
    "inline-privilege-escalation",
    "Ensure inline policies do not allow privilege escalation",
    Severity.HIGH,
    prowler=("iam_inline_policy_allows_privilege_escalation",),
    console="IAM → Users | User groups | Roles → ENTITY → Permissions → POLICY → Edit",
    cli="aws iam put-user-policy | put-group-policy | put-role-policy --policy-name NAME "
    "--policy-document file://narrower.json ...",
)
def escalation_inline(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for document in _inline_documents(snapshot):
        found = _escalations(document.text)
        reason = "allows " + "; ".join(found) if found else "no escalation combination"
        yield finding(document.arn, document.name, not found, reason)


@check(
    "permissive-role-assumption",
    "Ensure custom policies do not allow sts:AssumeRole on every role",
    Severity.HIGH,
    prowler=("iam_no_custom_policy_permissive_role_assumption",),
    console="IAM → Policies (or the entity's inline policy) → Edit: name the role ARNs in Resource",
    cli=_ESCALATION_CLI,
)
def permissive_assume_role(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A customer managed or inline policy that allows `sts:AssumeRole` with `Resource: "*"`
    (or `sts:*`, `*`) fails: it reaches every role whose trust policy lets the account in."""
    for document in (*_customer_documents(snapshot), *_inline_documents(snapshot)):
        grant = grants_of(document.text).allows_everywhere("sts:AssumeRole")
        reason = (
            'allows sts:AssumeRole on "*"'
            if grant.granted
            else "limits sts:AssumeRole to named roles"
        )
        yield finding(document.arn, document.name, not grant.granted, reason)


@check(
    "cloudshell-full-access",
    "Ensure access to AWSCloudShellFullAccess is restricted",
    Severity.MEDIUM,
    cis="2.20",
    prowler=("iam_policy_cloudshell_admin_not_attached",),
    console="IAM → Policies → AWSCloudShellFullAccess → Entities attached → Detach",
    cli=f"aws iam list-entities-for-policy --policy-arn {CLOUDSHELL_FULL_ACCESS}; aws iam "
    f"detach-user-policy | detach-group-policy | detach-role-policy --policy-arn "
    f"{CLOUDSHELL_FULL_ACCESS} ...",
)
def cloudshell(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    holders = [
        e
        for e in (*snapshot.users, *snapshot.groups, *snapshot.roles)
        if CLOUDSHELL_FULL_ACCESS in e.attached
    ]
    if holders:
        for entity in holders:
            yield finding(entity.arn, entity.name, False, "AWSCloudShellFullAccess attached")
    else:
        yield finding(CLOUDSHELL_FULL_ACCESS, "AWSCloudShellFullAccess", True, "attached to no one")


@check(
    "administrator-group-mfa",
    "Ensure members of groups with AdministratorAccess have MFA",
    Severity.HIGH,
    prowler=("iam_administrator_access_with_mfa",),
    console="IAM → Users → USER → Security credentials → Assign MFA device",
    cli="aws iam enable-mfa-device --user-name USER --serial-number SERIAL --authentication-code1 "
    "CODE1 --authentication-code2 CODE2",
)
def admin_group_mfa(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    admin_groups = {g.name for g in snapshot.groups if ADMINISTRATOR_ACCESS in g.attached}
    if not admin_groups:
        return
    mfa = {row["arn"]: is_true(row.get("mfa_active")) for row in snapshot.user_rows}
    for user in snapshot.users:
        in_admin = sorted(admin_groups.intersection(user.groups))
        if in_admin:
            has = mfa.get(user.arn, False)
            reason = f"member of {', '.join(in_admin)} " + ("with MFA" if has else "without MFA")
            yield finding(user.arn, user.name, has, reason)
