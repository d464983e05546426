"""IAM users, groups and memberships."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import (
    Result,
    authorize_create,
    caller_user_name,
    operation,
    paginate,
    tagged_target,
    target,
)
from stockade.identity import accounts, entities, groups, names, users
from stockade.identity.entities import GROUP, USER


@operation("iam", "CreateUser")
def create_user(call: Call) -> Result:
    p = call.params
    path = authorize_create(call, USER, p["UserName"])
    user = users.create_user(
        call.tx,
        call.caller.account_id,
        p["UserName"],
        path,
        call.services.quotas,
        boundary=p.get("PermissionsBoundary"),
        new_tags=p.get("Tags") or (),
    )
    return {"User": user}


@operation("iam", "GetUser", from_memory=True)
def get_user(call: Call) -> Result:
    if not call.params.get("UserName") and call.caller.is_root:
        # The root user asking about itself: AWS answers with the account's root identity.
        account = accounts.get_account(call.tx, call.caller.account_id)
        return {
            "User": {
                "UserId": call.caller.account_id,
                "Arn": call.caller.arn,
                "CreateDate": account["created_at"],
                "PasswordLastUsed": account["root_password_last_used"],
            }
        }
    name = caller_user_name(call)
    row, found = tagged_target(call, USER, name, "iam:GetUser")
    view = users.view(call.tx, call.caller.account_id, row, with_tags=True, known_tags=found)
    return {"User": view}


@operation("iam", "ListUsers")
def list_users(call: Call) -> Result:
    account = call.caller.account_id
    authorize(call, "iam:ListUsers", f"arn:aws:iam::{account}:user/")
    rows = entities.listing(call.tx, USER, account, call.params.get("PathPrefix"))
    return paginate(call, [users.view(call.tx, account, r) for r in rows], "Users")


@operation("iam", "UpdateUser")
def update_user(call: Call) -> Result:
    p = call.params
    row = target(call, USER, p["UserName"], "iam:UpdateUser")
    entities.rename(
        call.tx, USER, call.caller.account_id, row, p.get("NewUserName"), p.get("NewPath")
    )
    return None


@operation("iam", "DeleteUser")
def delete_user(call: Call) -> Result:
    target(call, USER, call.params["UserName"], "iam:DeleteUser")
    users.delete_user(call.tx, call.caller.account_id, call.params["UserName"])
    return None


@operation("iam", "PutUserPermissionsBoundary")
def put_user_boundary(call: Call) -> Result:
    boundary = call.params["PermissionsBoundary"]
    target(
        call,
        USER,
        call.params["UserName"],
        "iam:PutUserPermissionsBoundary",
        {"iam:PermissionsBoundary": boundary},
    )
    users.set_boundary(call.tx, call.caller.account_id, call.params["UserName"], boundary)
    return None


@operation("iam", "DeleteUserPermissionsBoundary")
def delete_user_boundary(call: Call) -> Result:
    target(call, USER, call.params["UserName"], "iam:DeleteUserPermissionsBoundary")
    users.set_boundary(call.tx, call.caller.account_id, call.params["UserName"], None)
    return None


# -- groups ----------------------------------------------------------------------------------
@operation("iam", "CreateGroup")
def create_group(call: Call) -> Result:
    p = call.params
    path = p.get("Path") or "/"
    authorize(
        call, "iam:CreateGroup", names.arn(call.caller.account_id, "group", path, p["GroupName"])
    )
    return {
        "Group": groups.create_group(
            call.tx, call.caller.account_id, p["GroupName"], path, call.services.quotas
        )
    }


@operation("iam", "GetGroup")
def get_group(call: Call) -> Result:
    row = target(call, GROUP, call.params["GroupName"], "iam:GetGroup")
    account = call.caller.account_id
    members = [users.view(call.tx, account, u) for u in users.members_of(call.tx, row["group_id"])]
    return paginate(call, members, "Users", Group=groups.view(account, row))


@operation("iam", "ListGroups")
def list_groups(call: Call) -> Result:
    account = call.caller.account_id
    authorize(call, "iam:ListGroups", f"arn:aws:iam::{account}:group/")
    rows = entities.listing(call.tx, GROUP, account, call.params.get("PathPrefix"))
    return paginate(call, [groups.view(account, r) for r in rows], "Groups")


@operation("iam", "UpdateGroup")
def update_group(call: Call) -> Result:
    p = call.params
    row = target(call, GROUP, p["GroupName"], "iam:UpdateGroup")
    entities.rename(
        call.tx, GROUP, call.caller.account_id, row, p.get("NewGroupName"), p.get("NewPath")
    )
    return None


@operation("iam", "DeleteGroup")
def delete_group(call: Call) -> Result:
    target(call, GROUP, call.params["GroupName"], "iam:DeleteGroup")
    groups.delete_group(call.tx, call.caller.account_id, call.params["GroupName"])
    return None


@operation("iam", "AddUserToGroup")
def add_user_to_group(call: Call) -> Result:
    p = call.params
    target(call, GROUP, p["GroupName"], "iam:AddUserToGroup")
    users.add_to_group(
        call.tx, call.caller.account_id, p["GroupName"], p["UserName"], call.services.quotas
    )
    return None


@operation("iam", "RemoveUserFromGroup")
def remove_user_from_group(call: Call) -> Result:
    p = call.params
    target(call, GROUP, p["GroupName"], "iam:RemoveUserFromGroup")
    users.remove_from_group(call.tx, call.caller.account_id, p["GroupName"], p["UserName"])
    return None


@operation("iam", "ListGroupsForUser")
def list_groups_for_user(call: Call) -> Result:
    row = target(call, USER, call.params["UserName"], "iam:ListGroupsForUser")
    account = call.caller.account_id
    found = [groups.view(account, g) for g in users.group_rows_of(call.tx, row["user_id"])]
    return paginate(call, found, "Groups")
