"""Importing this module registers every handler."""

from stockade.api import iam_account, iam_credentials, iam_policies, iam_roles, iam_users, sts
from stockade.api.registry import OPERATIONS

__all__ = [
    "OPERATIONS",
    "iam_account",
    "iam_credentials",
    "iam_policies",
    "iam_roles",
    "iam_users",
    "sts",
]
