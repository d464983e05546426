"""GetAccountSummary: every SummaryMap key AWS returns, root entries included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, func, select

from stockade.identity.accounts import get_account
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


def account_summary(tx: Connection, account_id: str, quotas: Quotas) -> dict[str, int]:
    def count(table: Table, *conditions: ColumnElement[bool]) -> int:
        query = (
            select(func.count())
            .select_from(table)
            .where(table.c.account_id == account_id, *conditions)
        )
        return int(tx.execute(query).scalar_one())

    account: dict[str, Any] = get_account(tx, account_id)
    # A mirror's audit key is Stockade's, not the real root's: it does not count.
    audit_keys = select(t.mirrors.c.audit_key_id).where(t.mirrors.c.audit_key_id.is_not(None))
    root_keys = count(
        t.access_keys,
        t.access_keys.c.user_id.is_(None),
        t.access_keys.c.access_key_id.not_in(audit_keys),
    )
    root_certificates = count(t.signing_certificates, t.signing_certificates.c.user_id.is_(None))
    return {
        "Users": count(t.users),
        "UsersQuota": quotas.users,
        "Groups": count(t.groups),
        "GroupsQuota": quotas.groups,
        "Roles": count(t.roles),
        "RolesQuota": quotas.roles,
        "Policies": count(t.managed_policies),
        "PoliciesQuota": quotas.customer_managed_policies,
        "PolicyVersionsInUse": count(t.attachments),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": quotas.versions_per_policy,
        "PolicySizeQuota": 6144,
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240,
        "AssumeRolePolicySizeQuota": 2048,
        "GroupsPerUserQuota": quotas.groups_per_user,
        "AttachedPoliciesPerUserQuota": quotas.managed_policies_per_entity,
        "AttachedPoliciesPerGroupQuota": quotas.managed_policies_per_entity,
        "AttachedPoliciesPerRoleQuota": quotas.managed_policies_per_entity,
        "AccessKeysPerUserQuota": quotas.access_keys_per_user,
        "SigningCertificatesPerUserQuota": quotas.signing_certificates_per_user,
        "ServerCertificates": count(t.server_certificates),
        "ServerCertificatesQuota": quotas.server_certificates,
        "InstanceProfiles": count(t.instance_profiles),
        "InstanceProfilesQuota": quotas.instance_profiles,
        # Identity providers of both kinds.
        "Providers": count(t.saml_providers) + count(t.oidc_providers),
        "MFADevices": count(t.mfa_devices),
        "MFADevicesInUse": count(t.mfa_devices, t.mfa_devices.c.enabled_at.is_not(None)),
        "AccountMFAEnabled": int(bool(count(t.mfa_devices, t.mfa_devices.c.for_root.is_(True)))),
        "AccountAccessKeysPresent": int(bool(root_keys)),
        "AccountPasswordPresent": int(bool(account["root_password_hash"])),
        "AccountSigningCertificatesPresent": int(bool(root_certificates)),
        "GlobalEndpointTokenVersion": 1,
    }
