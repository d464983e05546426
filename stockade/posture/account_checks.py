"""Account-wide recommendations: the dashboard's "Create individual IAM users" and "Use groups to
assign permissions", the support and audit roles (CIS 2.15), federation (CIS 2.19), expired
server certificates (CIS 2.17), and the CIS controls that concern services Stockade does not
serve (reported NOT_APPLICABLE, so a reader sees they were considered)."""

from __future__ import annotations

from collections.abc import Iterator

from stockade.posture.model import Finding, Severity
from stockade.posture.registry import Thresholds, account_arn, check, finding, not_applicable
from stockade.posture.snapshot import Snapshot

SUPPORT_ACCESS = "arn:aws:iam::aws:policy/AWSSupportAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
_ACCOUNT = "account"


@check(
    "iam-users",
    "Create individual IAM users",
    Severity.LOW,
    dashboard="Create individual IAM users",
    console="IAM → Users → Create user",
    cli="aws iam create-user --user-name NAME",
)
def individual_users(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """At least one IAM user exists, so that people stop signing in as root."""
    count = int(snapshot.summary.get("Users", len(snapshot.users)))
    yield finding(account_arn(snapshot), _ACCOUNT, count > 0, f"{count} IAM user(s)")


@check(
    "groups-exist",
    "Use groups to assign permissions",
    Severity.LOW,
    dashboard="Use groups to assign permissions",
    console="IAM → User groups → Create group (attach its policies, add its users)",
    cli="aws iam create-group --group-name NAME; aws iam attach-group-policy --group-name NAME "
    "--policy-arn POLICY_ARN; aws iam add-user-to-group --group-name NAME --user-name USER",
)
def groups_exist(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """At least one group exists (the old dashboard's rule; the strict form is
    permissions-through-groups)."""
    count = int(snapshot.summary.get("Groups", len(snapshot.groups)))
    yield finding(account_arn(snapshot), _ACCOUNT, count > 0, f"{count} group(s)")


def _role_with(snapshot: Snapshot, policy_arn: str) -> list[str]:
    return [role.name for role in snapshot.roles if policy_arn in role.attached]


@check(
    "support-role",
    "Ensure a support role has been created to manage incidents with AWS Support",
    Severity.LOW,
    cis="2.15",
    prowler=("iam_support_role_created",),
    console="IAM → Roles → Create role → AWS account (this account) → AWSSupportAccess",
    cli="aws iam create-role --role-name support --assume-role-policy-document "
    "file://trust.json; aws iam attach-role-policy --role-name support --policy-arn "
    f"{SUPPORT_ACCESS}",
)
def support_role(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """A role has AWSSupportAccess attached."""
    roles = _role_with(snapshot, SUPPORT_ACCESS)
    reason = f"AWSSupportAccess on {', '.join(roles)}" if roles else "no role has AWSSupportAccess"
    yield finding(SUPPORT_ACCESS, "AWSSupportAccess", bool(roles), reason)


@check(
    "security-audit-role",
    "Ensure a role with the SecurityAudit policy exists",
    Severity.LOW,
    prowler=("iam_securityaudit_role_created",),
    console="IAM → Roles → Create role → SecurityAudit",
    cli="aws iam create-role --role-name security-audit --assume-role-policy-document "
    f"file://trust.json; aws iam attach-role-policy --role-name security-audit --policy-arn "
    f"{SECURITY_AUDIT}",
)
def security_audit_role(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    roles = _role_with(snapshot, SECURITY_AUDIT)
    reason = f"SecurityAudit on {', '.join(roles)}" if roles else "no role has SecurityAudit"
    yield finding(SECURITY_AUDIT, "SecurityAudit", bool(roles), reason)


@check(
    "identity-federation",
    "Ensure IAM users are managed centrally via identity federation",
    Severity.LOW,
    cis="2.19",
    prowler=("iam_check_saml_providers_sts",),
    console="IAM → Identity providers → Add provider (SAML or OpenID Connect)",
    cli="aws iam create-saml-provider --name NAME --saml-metadata-document file://metadata.xml",
)
def federation(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    """An identity provider (SAML or OIDC) is configured."""
    count = int(snapshot.summary.get("Providers", 0))
    yield finding(account_arn(snapshot), _ACCOUNT, count > 0, f"{count} identity provider(s)")


@check(
    "expired-server-certificates",
    "Ensure that all expired SSL/TLS certificates stored in AWS IAM are removed",
    Severity.HIGH,
    cis="2.17",
    prowler=("iam_no_expired_server_certificates_stored",),
    console="(no console page: IAM server certificates are managed with the API only)",
    cli="aws iam delete-server-certificate --server-certificate-name NAME",
)
def expired_certificates(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
    for certificate in snapshot.server_certificates:
        expired = certificate.expires_at <= snapshot.taken_at
        verb = "expired" if expired else "expires"
        reason = f"{verb} {certificate.expires_at.isoformat()}"
        yield finding(certificate.arn, certificate.name, not expired, reason)


def _not_served(id: str, title: str, cis: str, prowler: str, service: str) -> None:
    @check(
        id,
        title,
        Severity.LOW,
        cis=cis,
        prowler=(prowler,),
        console=f"(in AWS: the {service} console)",
        cli="(none in Stockade)",
    )
    def run(snapshot: Snapshot, _: Thresholds) -> Iterator[Finding]:
        yield not_applicable(
            account_arn(snapshot), _ACCOUNT, f"Stockade serves IAM and STS, not {service}"
        )


_not_served(
    "access-analyzer",
    "Ensure that IAM External Access Analyzer is enabled for all regions",
    "2.18",
    "accessanalyzer_enabled",
    "IAM Access Analyzer",
)
_not_served(
    "instance-roles",
    "Ensure IAM instance roles are used for AWS resource access from instances",
    "2.16",
    "ec2_instance_profile_attached",
    "EC2",
)
_not_served(
    "security-contact",
    "Ensure security contact information is registered",
    "2.3",
    "account_security_contact_information_is_registered",
    "AWS Account Management",
)
