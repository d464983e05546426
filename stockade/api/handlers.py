"""Importing this module registers every handler."""

from stockade.api import (
    entity_tags,
    iam_account,
    iam_certificates,
    iam_credentials,
    iam_details,
    iam_instance_profiles,
    iam_last_accessed,
    iam_organizations,
    iam_policies,
    iam_providers,
    iam_roles,
    iam_service_credentials,
    iam_service_linked_roles,
    iam_simulation,
    iam_ssh_keys,
    iam_users,
    sts,
)
from stockade.api.registry import OPERATIONS

__all__ = [
    "OPERATIONS",
    "entity_tags",
    "iam_account",
    "iam_certificates",
    "iam_credentials",
    "iam_details",
    "iam_instance_profiles",
    "iam_last_accessed",
    "iam_organizations",
    "iam_policies",
    "iam_providers",
    "iam_roles",
    "iam_service_credentials",
    "iam_service_linked_roles",
    "iam_simulation",
    "iam_ssh_keys",
    "iam_users",
    "sts",
]
