"""IAM naming rules: paths, ARNs, unique-id prefixes."""

from __future__ import annotations

import re

from stockade.identity.errors import (
    InvalidInput,
    NoSuchEntity,
    PolicyNotAttachable,
    ValidationError,
)

# Unique-id prefixes (IAM identifiers page).
USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"
INSTANCE_PROFILE_ID_PREFIX = "AIPA"
SERVER_CERTIFICATE_ID_PREFIX = "ASCA"
SSH_PUBLIC_KEY_ID_PREFIX = "APKA"
SERVICE_CREDENTIAL_ID_PREFIX = "ACCA"
ACCESS_KEY_PREFIX = "AKIA"

AWS_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy"


def check_path(path: str | None) -> str:
    """A path is `/` or `/a/b/`. The model's pattern lets an empty segment (`/a//b/`) through;
    IAM refuses it with its own path wording."""
    path = path or "/"
    if not (path.startswith("/") and path.endswith("/")) or "//" in path:
        raise ValidationError(
            "The specified value for path is invalid. It must begin and end with / and contain "
            "only alphanumeric characters and/or / characters."
        )
    return path


def arn(account_id: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+")
# AWS managed policies for service-linked roles: attached by AWS only.
SERVICE_ROLE_POLICY_PREFIX = AWS_POLICY_ARN_PREFIX + "/aws-service-role/"


def check_attachable(policy_arn: str) -> None:
    if policy_arn.startswith(SERVICE_ROLE_POLICY_PREFIX):
        raise PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")


def split_policy_arn(policy_arn: str, account_id: str) -> tuple[bool, str]:
    """(is AWS managed, the ARN) for a policy ARN naming this account or AWS.

    Not a policy ARN at all: InvalidInput; a policy ARN of another account: NoSuchEntity.
    """
    if not _POLICY_ARN.fullmatch(policy_arn):
        raise InvalidInput(f"ARN {policy_arn} is not valid.")
    if policy_arn.startswith(AWS_POLICY_ARN_PREFIX + "/"):
        return True, policy_arn
    if policy_arn.startswith(f"arn:aws:iam::{account_id}:policy/"):
        return False, policy_arn
    raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
