"""AWS's default IAM quotas (IAM and AWS STS quotas page); a server may configure others."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quotas:
    users: int = 5000
    groups: int = 300
    roles: int = 1000
    groups_per_user: int = 10
    managed_policies_per_entity: int = 10
    customer_managed_policies: int = 1500
    versions_per_policy: int = 5
    access_keys_per_user: int = 2
    mfa_devices_per_user: int = 8
    tags_per_resource: int = 50
    instance_profiles: int = 1000
    signing_certificates_per_user: int = 2
    ssh_keys_per_user: int = 5
    server_certificates: int = 20
    oidc_providers: int = 100
    saml_providers: int = 100
    service_specific_credentials_per_service: int = 2


DEFAULT_QUOTAS = Quotas()
