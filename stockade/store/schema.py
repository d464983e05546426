"""The schema, in SQLAlchemy Core: one definition for SQLite and PostgreSQL.

Names are stored with a lower-cased twin (`name_key`) because IAM names are unique regardless of
case while keeping the case they were created with. Every row carries its account id, so one
server can hold several accounts (an imported mirror of a real AWS account sits beside the live
one). Secrets never appear in clear: access-key secrets, MFA seeds and server certificates' private
keys are sealed (AES-GCM, see stockade.auth.secrets), passwords (console and service-specific)
hashed (argon2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Times in UTC, aware on the way out: SQLite keeps no zone, PostgreSQL keeps one."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_ACCOUNT = "accounts.account_id"


def _when(name: str, nullable: bool = False) -> Column[datetime]:
    return Column(name, UTCDateTime(), nullable=nullable)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("alias", String(63), unique=True),
    Column("root_email", String(256)),
    Column("root_password_hash", String(256)),
    _when("root_password_last_used", nullable=True),
    Column("setup_token_hash", String(128)),  # the one-time first-run link, hashed
    Column("password_policy", JSON),  # None: no policy set
    Column("billing_access_for_iam", Boolean, nullable=False, default=False),
    Column("read_only_mirror", Boolean, nullable=False, default=False),
    Column("generation", Integer, nullable=False, default=0),  # bumped by every IAM write
    _when("created_at"),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("permissions_boundary", String(2048)),
    _when("created_at"),
    _when("password_last_used", nullable=True),
    UniqueConstraint("account_id", "name_key"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    _when("created_at"),
    UniqueConstraint("account_id", "name_key"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.group_id"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    _when("added_at"),
    Index("ix_group_members_user", "user_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("role_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("trust_policy", Text, nullable=False),
    Column("description", String(1000)),
    Column("max_session_duration", Integer, nullable=False, default=3600),
    Column("permissions_boundary", String(2048)),
    Column("service_linked", Boolean, nullable=False, default=False),
    _when("created_at"),
    _when("last_used_at", nullable=True),
    Column("last_used_region", String(32)),
    UniqueConstraint("account_id", "name_key"),
)

managed_policies = Table(
    "managed_policies",
    metadata,
    Column("policy_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("arn", String(2048), nullable=False, unique=True),
    Column("description", String(1000)),
    Column("default_version", String(16), nullable=False),
    Column("next_version", Integer, nullable=False, default=2),
    _when("created_at"),
    _when("updated_at"),
    UniqueConstraint("account_id", "name_key"),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("policy_id", String(32), ForeignKey("managed_policies.policy_id"), primary_key=True),
    Column("version_id", String(16), primary_key=True),
    Column("document", Text, nullable=False),
    _when("created_at"),
)

# entity_kind is "user", "group" or "role"; entity_id its unique id. AWS managed policies are
# attached by ARN too: they live in the package, not in the database.
attachments = Table(
    "attachments",
    metadata,
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("entity_kind", String(8), primary_key=True),
    Column("entity_id", String(32), primary_key=True),
    Column("policy_arn", String(2048), primary_key=True),
    _when("attached_at"),
    Index("ix_attachments_policy", "account_id", "policy_arn"),
)

inline_policies = Table(
    "inline_policies",
    metadata,
    Column("entity_kind", String(8), primary_key=True),
    Column("entity_id", String(32), primary_key=True),
    Column("name_key", String(128), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("document", Text, nullable=False),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id")),  # None: the root user's key
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("status", String(8), nullable=False),
    _when("created_at"),
    _when("last_used_at", nullable=True),
    Column("last_used_service", String(64)),
    Column("last_used_region", String(32)),
    Index("ix_access_keys_user", "user_id"),
)

login_profiles = Table(
    "login_profiles",
    metadata,
    Column("user_id", String(32), ForeignKey("users.user_id"), primary_key=True),
    Column("password_hash", String(256), nullable=False),
    Column("password_reset_required", Boolean, nullable=False, default=False),
    _when("created_at"),
    _when("password_changed_at"),
)

mfa_devices = Table(
    "mfa_devices",
    metadata,
    Column("serial_number", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(256), nullable=False),
    Column("path", String(512), nullable=False),
    Column("seed_sealed", LargeBinary),
    Column("user_id", String(32)),  # the IAM user it is enabled for
    Column("for_root", Boolean, nullable=False, default=False),  # enabled for the root user
    _when("created_at"),
    _when("enabled_at", nullable=True),
    Column("last_counter", Integer),  # last TOTP step accepted: no code is accepted twice
    Index("ix_mfa_user", "user_id"),
)

tags = Table(
    "tags",
    metadata,
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("resource_arn", String(2048), primary_key=True),
    # Lower-casing can lengthen a key ("İ" becomes two characters): room for that.
    Column("key_key", String(512), primary_key=True),
    Column("key", String(128), nullable=False),
    Column("value", String(256), nullable=False),
)

# -- instance profiles, identity providers, certificates and keys (revision 0002) -------------

instance_profiles = Table(
    "instance_profiles",
    metadata,
    Column("instance_profile_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    # An instance profile holds at most one role (a quota AWS does not raise): a column suffices.
    Column("role_id", String(32), ForeignKey("roles.role_id")),
    _when("created_at"),
    UniqueConstraint("account_id", "name_key"),
    Index("ix_instance_profiles_role", "role_id"),
)

# The ARN is `oidc-provider/` + the URL without `https://`; STS will find a provider by the
# token's `iss` that way, check `aud` against client_ids, and fetch or read the signing keys.
oidc_providers = Table(
    "oidc_providers",
    metadata,
    Column("arn", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("url", String(255), nullable=False),  # host and path, as GetOpenIDConnectProvider says
    Column("client_ids", JSON, nullable=False),  # list of audiences, in the order added
    Column("thumbprints", JSON, nullable=False),  # list of 40-digit hex SHA-1 thumbprints
    Column("jwks", Text),  # an uploaded JWKS for an issuer the server cannot reach; None: fetch
    _when("created_at"),
    Index("ix_oidc_providers_account", "account_id"),
)

saml_providers = Table(
    "saml_providers",
    metadata,
    Column("arn", String(2048), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(128), nullable=False),
    Column("metadata_document", Text, nullable=False),  # as uploaded
    _when("valid_until", nullable=True),  # the metadata's validUntil
    Column("signing_certificates", JSON, nullable=False),  # base64 DER, from the IdP's KeyInfo
    _when("created_at"),
    Index("ix_saml_providers_account", "account_id"),
)

server_certificates = Table(
    "server_certificates",
    metadata,
    Column("server_certificate_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("name", String(128), nullable=False),
    Column("path", String(512), nullable=False),
    Column("body", Text, nullable=False),
    Column("chain", Text),
    Column("private_key_sealed", LargeBinary, nullable=False),  # never returned by any API
    _when("expires_at"),
    _when("created_at"),
    UniqueConstraint("account_id", "name"),
)

signing_certificates = Table(
    "signing_certificates",
    metadata,
    Column("certificate_id", String(128), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id")),  # None: the root user's
    Column("body", Text, nullable=False),
    # SHA-256 of the DER: one certificate belongs to one user of an account.
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    _when("created_at"),
    UniqueConstraint("account_id", "fingerprint"),
    Index("ix_signing_certificates_user", "user_id"),
)

ssh_public_keys = Table(
    "ssh_public_keys",
    metadata,
    Column("ssh_public_key_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False),
    Column("body", Text, nullable=False),  # as uploaded, SSH or PEM encoding
    Column("fingerprint", String(64), nullable=False),  # MD5 of the key blob, as AWS shows it
    Column("status", String(8), nullable=False),
    _when("created_at"),
    Index("ix_ssh_public_keys_user", "user_id"),
)

service_specific_credentials = Table(
    "service_specific_credentials",
    metadata,
    Column("credential_id", String(32), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("user_id", String(32), ForeignKey("users.user_id"), nullable=False),
    Column("service_name", String(128), nullable=False),
    Column("service_user_name", String(200), nullable=False),
    Column("password_hash", String(256), nullable=False),  # argon2: shown once, then only checked
    Column("status", String(8), nullable=False),
    _when("created_at"),
    Index("ix_service_specific_credentials_user", "user_id"),
)

# DeleteServiceLinkedRole completes at once; its task ids are kept so the status can be asked.
service_linked_role_deletions = Table(
    "service_linked_role_deletions",
    metadata,
    Column("deletion_task_id", String(1000), primary_key=True),
    Column("account_id", String(12), ForeignKey(_ACCOUNT), nullable=False),
    Column("status", String(16), nullable=False),
    _when("created_at"),
)

# -- the credential report (revision 0004) ----------------------------------------------------

# One stored report per account: GetCredentialReport returns these bytes until a
# GenerateCredentialReport more than four hours later replaces them.
credential_reports = Table(
    "credential_reports",
    metadata,
    Column("account_id", String(12), ForeignKey(_ACCOUNT), primary_key=True),
    Column("content", LargeBinary, nullable=False),  # the CSV, as GetCredentialReport returns it
    _when("generated_at"),
)

# -- read-only mirrors of real AWS accounts (revision 0005_mirror) ------------------------------

# One row per account imported by `stockade import authorization-details`; the account row itself
# carries read_only_mirror, and an imported credential report sits in credential_reports like a
# generated one. audit_key_id is the root access key made for reading the mirror over the API:
# Stockade's, not the real root's, so the summary and the credential report leave it out.
mirrors = Table(
    "mirrors",
    metadata,
    Column("account_id", String(12), ForeignKey(_ACCOUNT), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("source", String(1024), nullable=False),  # the file imported, as named on the command
    _when("imported_at"),
    Column("audit_key_id", String(32)),
)
