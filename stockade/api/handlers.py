"""Importing this module registers every handler."""

from stockade.api import (
    entity_tags,
    iam_account,
    iam_certificates,
    iam_credentials,
    iam_details,
    iam_instance_profiles,
    iam_policies,
    iam_providers,
    iam_roles,
    iam_service_credentials,
    iam_service_linked_roles,
    iam_simulation,
    iam_ssh_keys,
    iam_users,
    sts,
    sts_federation,
)
from stockade.api.registry import OPEN_OPERATIONS, OPERATIONS

__all__ = [
    "OPEN_OPERATIONS",
    "OPERATIONS",
    "entity_tags",
    "iam_account",
    "iam_certificates",
    "iam_credentials",
    "iam_details",
    "iam_instance_profiles",
    "iam_policies",
    "iam_providers",
    "iam_roles",
    "iam_service_credentials",
    "iam_service_linked_roles",
    "iam_simulation",
    "iam_ssh_keys",
    "iam_users",
    "sts",
    "sts_federation",
]
