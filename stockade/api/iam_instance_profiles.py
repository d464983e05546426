"""IAM instance profiles."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, entity_arn, operation, paginate, tag_context, target
from stockade.api.resource_tags import aws_resource_tags
from stockade.identity import entities, instance_profiles, names, tags
from stockade.identity.entities import ROLE
from stockade.identity.instance_profiles import INSTANCE_PROFILE


def _profile(call: Call, action: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The named profile, once the caller may do `action` on it (authorized first, on the
    path-less ARN when it does not exist, as `registry.target` does for users and roles)."""
    name = call.params["InstanceProfileName"]
    row = instance_profiles.find(call.tx, call.caller.account_id, name)
    profile_arn = entity_arn(call, INSTANCE_PROFILE, name, row)
    authorize(call, action, profile_arn, {**aws_resource_tags(call, profile_arn), **(extra or {})})
    if row is None:
        raise instance_profiles.not_found(name)
    return row


@operation("iam", "CreateInstanceProfile")
def create_instance_profile(call: Call) -> Result:
    p = call.params
    path = p.get("Path") or "/"
    name = p["InstanceProfileName"]
    account = call.caller.account_id
    authorize(
        call,
        "iam:CreateInstanceProfile",
        names.arn(account, INSTANCE_PROFILE.name, path, name),
        tag_context(call),
    )
    profile = instance_profiles.create(
        call.tx, account, name, path, call.services.quotas, p.get("Tags") or ()
    )
    return {"InstanceProfile": profile}


@operation("iam", "GetInstanceProfile")
def get_instance_profile(call: Call) -> Result:
    row = _profile(call, "iam:GetInstanceProfile")
    profile = instance_profiles.view(call.tx, call.caller.account_id, row, with_tags=True)
    return {"InstanceProfile": profile}


@operation("iam", "ListInstanceProfiles")
def list_instance_profiles(call: Call) -> Result:
    account = call.caller.account_id
    authorize(call, "iam:ListInstanceProfiles", "*")  # no resource-level permissions
    rows = entities.listing(call.tx, INSTANCE_PROFILE, account, call.params.get("PathPrefix"))
    found = [instance_profiles.view(call.tx, account, row) for row in rows]
    return paginate(call, found, "InstanceProfiles")


@operation("iam", "ListInstanceProfilesForRole")
def list_instance_profiles_for_role(call: Call) -> Result:
    role = target(call, ROLE, call.params["RoleName"], "iam:ListInstanceProfilesForRole")
    account = call.caller.account_id
    rows = instance_profiles.profiles_of_role(call.tx, role["role_id"])
    found = [instance_profiles.view(call.tx, account, row) for row in rows]
    return paginate(call, found, "InstanceProfiles")


@operation("iam", "DeleteInstanceProfile")
def delete_instance_profile(call: Call) -> Result:
    row = _profile(call, "iam:DeleteInstanceProfile")
    instance_profiles.delete(call.tx, call.caller.account_id, row)
    return None


@operation("iam", "AddRoleToInstanceProfile")
def add_role_to_instance_profile(call: Call) -> Result:
    profile = _profile(call, "iam:AddRoleToInstanceProfile")
    # Putting a role in a profile hands it to whoever launches instances with the profile: AWS
    # asks for iam:PassRole on the role as well.
    role = target(
        call,
        ROLE,
        call.params["RoleName"],
        "iam:PassRole",
        {"iam:PassedToService": "ec2.amazonaws.com"},
    )
    instance_profiles.add_role(call.tx, profile, role)
    return None


@operation("iam", "RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(call: Call) -> Result:
    profile = _profile(call, "iam:RemoveRoleFromInstanceProfile")
    role = entities.get(call.tx, ROLE, call.caller.account_id, call.params["RoleName"])
    instance_profiles.remove_role(call.tx, profile, role)
    return None


@operation("iam", "TagInstanceProfile")
def tag_instance_profile(call: Call) -> Result:
    row = _profile(call, "iam:TagInstanceProfile", tag_context(call))
    account = call.caller.account_id
    profile_arn = INSTANCE_PROFILE.arn(account, row)
    tags.tag(call.tx, account, profile_arn, call.params["Tags"], call.services.quotas)
    return None


@operation("iam", "UntagInstanceProfile")
def untag_instance_profile(call: Call) -> Result:
    keys = call.params["TagKeys"]
    row = _profile(call, "iam:UntagInstanceProfile", {"aws:TagKeys": keys})
    tags.untag(call.tx, INSTANCE_PROFILE.arn(call.caller.account_id, row), keys)
    return None


@operation("iam", "ListInstanceProfileTags")
def list_instance_profile_tags(call: Call) -> Result:
    row = _profile(call, "iam:ListInstanceProfileTags")
    profile_arn = INSTANCE_PROFILE.arn(call.caller.account_id, row)
    return paginate(call, tags.list_tags(call.tx, profile_arn), "Tags")
