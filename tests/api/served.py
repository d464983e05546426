"""The IAM operations this suite holds to AWS's behaviour, and what botocore's model says of them.

SERVED is the list registered in `stockade.api.registry` when these suites were written. Other
operations are being added (simulation, instance profiles, providers, certificates): they are not
tested here, and `test_listed_operations_are_served` (test_errors) keeps this list honest.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session

SERVED: tuple[str, ...] = (
    "AddUserToGroup",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "ChangePassword",
    "CreateAccessKey",
    "CreateAccountAlias",
    "CreateGroup",
    "CreateLoginProfile",
    "CreatePolicy",
    "CreatePolicyVersion",
    "CreateRole",
    "CreateUser",
    "CreateVirtualMFADevice",
    "DeactivateMFADevice",
    "DeleteAccessKey",
    "DeleteAccountAlias",
    "DeleteAccountPasswordPolicy",
    "DeleteGroup",
    "DeleteGroupPolicy",
    "DeleteLoginProfile",
    "DeletePolicy",
    "DeletePolicyVersion",
    "DeleteRole",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DeleteUser",
    "DeleteUserPermissionsBoundary",
    "DeleteUserPolicy",
    "DeleteVirtualMFADevice",
    "DetachGroupPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
    "EnableMFADevice",
    "GetAccessKeyLastUsed",
    "GetAccountPasswordPolicy",
    "GetAccountSummary",
    "GetGroup",
    "GetGroupPolicy",
    "GetLoginProfile",
    "GetPolicy",
    "GetPolicyVersion",
    "GetRole",
    "GetRolePolicy",
    "GetUser",
    "GetUserPolicy",
    "ListAccessKeys",
    "ListAccountAliases",
    "ListAttachedGroupPolicies",
    "ListAttachedRolePolicies",
    "ListAttachedUserPolicies",
    "ListEntitiesForPolicy",
    "ListGroupPolicies",
    "ListGroups",
    "ListGroupsForUser",
    "ListMFADeviceTags",
    "ListMFADevices",
    "ListPolicies",
    "ListPolicyTags",
    "ListPolicyVersions",
    "ListRolePolicies",
    "ListRoleTags",
    "ListRoles",
    "ListUserPolicies",
    "ListUserTags",
    "ListUsers",
    "ListVirtualMFADevices",
    "PutGroupPolicy",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "PutUserPermissionsBoundary",
    "PutUserPolicy",
    "RemoveUserFromGroup",
    "ResyncMFADevice",
    "SetDefaultPolicyVersion",
    "TagMFADevice",
    "TagPolicy",
    "TagRole",
    "TagUser",
    "UntagMFADevice",
    "UntagPolicy",
    "UntagRole",
    "UntagUser",
    "UpdateAccessKey",
    "UpdateAccountPasswordPolicy",
    "UpdateAssumeRolePolicy",
    "UpdateGroup",
    "UpdateLoginProfile",
    "UpdateRole",
    "UpdateRoleDescription",
    "UpdateUser",
)

# Codes every Query service may answer with but no model declares, and their HTTP statuses.
COMMON_STATUS = {
    "AccessDenied": 403,
    "ValidationError": 400,
    "InvalidAction": 400,
    "MissingAction": 400,
    "MissingAuthenticationToken": 403,
    "IncompleteSignature": 400,
    "InvalidClientTokenId": 403,
    "SignatureDoesNotMatch": 403,
    "NotImplemented": 501,
    "RequestEntityTooLarge": 413,  # a body over the endpoint's 1 MiB
}


@cache
def iam_model() -> Any:
    return botocore.session.get_session().get_service_model("iam")


@cache
def model_errors(operation: str) -> dict[str, int]:
    """Error code → HTTP status, as the model declares them for the operation."""
    found: dict[str, int] = {}
    for shape in iam_model().operation_model(operation).error_shapes:
        error = shape.metadata["error"]
        found[error["code"]] = int(error["httpStatusCode"])
    return found


def expected_status(operation: str, code: str) -> int:
    """The status AWS sends with `code` for `operation`: the model's, else the common one."""
    return model_errors(operation).get(code) or COMMON_STATUS[code]
