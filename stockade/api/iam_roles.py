"""IAM roles."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, authorize_create, operation, paginate, target
from stockade.identity import entities, roles
from stockade.identity.entities import ROLE


@operation("iam", "CreateRole")
def create_role(call: Call) -> Result:
    p = call.params
    path = authorize_create(call, ROLE, p["RoleName"])
    role = roles.create_role(
        call.tx,
        call.caller.account_id,
        p["RoleName"],
        path,
        p["AssumeRolePolicyDocument"],
        call.services.quotas,
        description=p.get("Description"),
        max_session_duration=p.get("MaxSessionDuration"),
        boundary=p.get("PermissionsBoundary"),
        new_tags=p.get("Tags") or (),
    )
    return {"Role": role}


@operation("iam", "GetRole")
def get_role(call: Call) -> Result:
    row = target(call, ROLE, call.params["RoleName"], "iam:GetRole")
    return {"Role": roles.view(call.tx, call.caller.account_id, row, with_tags=True)}


@operation("iam", "ListRoles")
def list_roles(call: Call) -> Result:
    account = call.caller.account_id
    authorize(call, "iam:ListRoles", f"arn:aws:iam::{account}:role/")
    rows = entities.listing(call.tx, ROLE, account, call.params.get("PathPrefix"))
    return paginate(call, [roles.view(call.tx, account, r) for r in rows], "Roles")


@operation("iam", "UpdateRole")
def update_role(call: Call) -> Result:
    p = call.params
    target(call, ROLE, p["RoleName"], "iam:UpdateRole")
    roles.update_role(
        call.tx,
        call.caller.account_id,
        p["RoleName"],
        description=p.get("Description"),
        max_session_duration=p.get("MaxSessionDuration"),
    )
    return None


@operation("iam", "UpdateRoleDescription")
def update_role_description(call: Call) -> Result:
    p = call.params
    target(call, ROLE, p["RoleName"], "iam:UpdateRoleDescription")
    roles.update_role(call.tx, call.caller.account_id, p["RoleName"], description=p["Description"])
    row = roles.get_role(call.tx, call.caller.account_id, p["RoleName"])
    return {"Role": roles.view(call.tx, call.caller.account_id, row, with_tags=True)}


@operation("iam", "UpdateAssumeRolePolicy")
def update_assume_role_policy(call: Call) -> Result:
    p = call.params
    target(call, ROLE, p["RoleName"], "iam:UpdateAssumeRolePolicy")
    roles.update_role(
        call.tx, call.caller.account_id, p["RoleName"], trust_policy=p["PolicyDocument"]
    )
    return None


@operation("iam", "DeleteRole")
def delete_role(call: Call) -> Result:
    target(call, ROLE, call.params["RoleName"], "iam:DeleteRole")
    roles.delete_role(call.tx, call.caller.account_id, call.params["RoleName"])
    return None


@operation("iam", "PutRolePermissionsBoundary")
def put_role_boundary(call: Call) -> Result:
    boundary = call.params["PermissionsBoundary"]
    target(
        call,
        ROLE,
        call.params["RoleName"],
        "iam:PutRolePermissionsBoundary",
        {"iam:PermissionsBoundary": boundary},
    )
    roles.update_role(
        call.tx, call.caller.account_id, call.params["RoleName"], permissions_boundary=boundary
    )
    return None


@operation("iam", "DeleteRolePermissionsBoundary")
def delete_role_boundary(call: Call) -> Result:
    row = target(call, ROLE, call.params["RoleName"], "iam:DeleteRolePermissionsBoundary")
    roles.clear_boundary(call.tx, call.caller.account_id, row)
    return None
