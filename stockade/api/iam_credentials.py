"""Access keys, console passwords, the password policy, and virtual MFA devices."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, caller_user_name, operation, paginate, tag_context, target
from stockade.identity import accounts, entities, keys, logins, mfa, names, tags, users
from stockade.identity.entities import USER
from stockade.identity.errors import NoSuchEntity
from stockade.protocol import AWSError


def _subject(call: Call, action: str) -> tuple[str | None, str]:
    """(user id, user name) a key or MFA operation is about; (None, the account id) for the root
    user's own, when the root user calls without a UserName."""
    if not call.params.get("UserName") and call.caller.is_root:
        authorize(call, action, names.root_arn(call.caller.account_id))
        return None, call.caller.account_id
    row = target(call, USER, caller_user_name(call), action)
    return str(row["user_id"]), str(row["name"])


@operation("iam", "CreateAccessKey")
def create_access_key(call: Call) -> Result:
    user_id, name = _subject(call, "iam:CreateAccessKey")
    key = keys.create_key(
        call.tx, call.services.box, call.caller.account_id, user_id, name, call.services.quotas
    )
    return {"AccessKey": key}


@operation("iam", "ListAccessKeys")
def list_access_keys(call: Call) -> Result:
    user_id, name = _subject(call, "iam:ListAccessKeys")
    return paginate(
        call, keys.list_keys(call.tx, call.caller.account_id, user_id, name), "AccessKeyMetadata"
    )


@operation("iam", "UpdateAccessKey")
def update_access_key(call: Call) -> Result:
    user_id, _ = _subject(call, "iam:UpdateAccessKey")
    keys.set_status(
        call.tx, call.caller.account_id, user_id, call.params["AccessKeyId"], call.params["Status"]
    )
    return None


@operation("iam", "DeleteAccessKey")
def delete_access_key(call: Call) -> Result:
    user_id, _ = _subject(call, "iam:DeleteAccessKey")
    keys.delete_key(call.tx, call.caller.account_id, user_id, call.params["AccessKeyId"])
    return None


@operation("iam", "GetAccessKeyLastUsed")
def get_access_key_last_used(call: Call) -> Result:
    account = call.caller.account_id
    key_id = call.params["AccessKeyId"]
    user_id = keys.user_of_key(call.tx, account, key_id)
    row = None if user_id is None else entities.get_by_id(call.tx, USER, user_id)
    resource = names.root_arn(account) if row is None else USER.arn(account, row)
    authorize(call, "iam:GetAccessKeyLastUsed", resource)
    result: dict[str, Any] = {"AccessKeyLastUsed": keys.last_used(call.tx, account, key_id)}
    if row is not None:
        result["UserName"] = row["name"]
    return result


# -- console passwords -----------------------------------------------------------------------
@operation("iam", "CreateLoginProfile")
def create_login_profile(call: Call) -> Result:
    p = call.params
    row = target(call, USER, caller_user_name(call), "iam:CreateLoginProfile")
    if p.get("Password") is None:
        # Optional in the model only for AssumeRoot sessions, which Stockade does not have.
        raise AWSError(
            "ValidationError",
            "1 validation error detected: Value null at 'password' failed to satisfy "
            "constraint: Member must not be null",
            400,
        )
    profile = logins.create_profile(
        call.tx,
        call.caller.account_id,
        row["user_id"],
        row["name"],
        p["Password"],
        bool(p.get("PasswordResetRequired")),
    )
    return {"LoginProfile": profile}


@operation("iam", "GetLoginProfile")
def get_login_profile(call: Call) -> Result:
    row = target(call, USER, caller_user_name(call), "iam:GetLoginProfile")
    return {"LoginProfile": logins.get_profile(call.tx, row["user_id"], row["name"])}


@operation("iam", "UpdateLoginProfile")
def update_login_profile(call: Call) -> Result:
    p = call.params
    row = target(call, USER, caller_user_name(call), "iam:UpdateLoginProfile")
    logins.update_profile(
        call.tx,
        call.caller.account_id,
        row["user_id"],
        row["name"],
        p.get("Password"),
        p.get("PasswordResetRequired"),
    )
    return None


@operation("iam", "DeleteLoginProfile")
def delete_login_profile(call: Call) -> Result:
    row = target(call, USER, caller_user_name(call), "iam:DeleteLoginProfile")
    logins.delete_profile(call.tx, row["user_id"], row["name"])
    return None


@operation("iam", "ChangePassword")
def change_password(call: Call) -> Result:
    user = call.caller.user if call.caller.is_user else None
    if user is None:
        raise AWSError(
            "InvalidUserType",
            "ChangePassword changes an IAM user's own password; the root user's is changed in "
            "the console.",
            400,
        )
    policy = accounts.get_password_policy(call.tx, call.caller.account_id) or {}
    if not policy.get("AllowUsersToChangePassword"):
        # With AllowUsersToChangePassword every user may change its own password; without it
        # the user's policies must allow iam:ChangePassword.
        authorize(call, "iam:ChangePassword", USER.arn(call.caller.account_id, user))
    logins.change_password(
        call.tx,
        call.caller.account_id,
        str(user["user_id"]),
        str(user["name"]),
        call.params["OldPassword"],
        call.params["NewPassword"],
    )
    return None


# -- password policy -------------------------------------------------------------------------
def _account_resource(call: Call) -> str:
    return f"arn:aws:iam::{call.caller.account_id}:*"


@operation("iam", "UpdateAccountPasswordPolicy")
def update_password_policy(call: Call) -> Result:
    authorize(call, "iam:UpdateAccountPasswordPolicy", "*")
    accounts.update_password_policy(call.tx, call.caller.account_id, call.params)
    return None


@operation("iam", "GetAccountPasswordPolicy")
def get_password_policy(call: Call) -> Result:
    authorize(call, "iam:GetAccountPasswordPolicy", "*")
    policy = accounts.get_password_policy(call.tx, call.caller.account_id)
    if policy is None:
        raise NoSuchEntity(
            f"The Password Policy with domain name {call.caller.account_id} cannot be found."
        )
    policy["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
    return {"PasswordPolicy": policy}


@operation("iam", "DeleteAccountPasswordPolicy")
def delete_password_policy(call: Call) -> Result:
    authorize(call, "iam:DeleteAccountPasswordPolicy", "*")
    accounts.delete_password_policy(call.tx, call.caller.account_id)
    return None


# -- virtual MFA -----------------------------------------------------------------------------
@operation("iam", "CreateVirtualMFADevice")
def create_virtual_mfa(call: Call) -> Result:
    p = call.params
    path = p.get("Path") or "/"
    account = call.caller.account_id
    authorize(
        call,
        "iam:CreateVirtualMFADevice",
        f"arn:aws:iam::{account}:mfa{path}{p['VirtualMFADeviceName']}",
        tag_context(call),
    )
    device = mfa.create_virtual(
        call.tx,
        call.services.box,
        account,
        p["VirtualMFADeviceName"],
        path,
        call.services.quotas,
        p.get("Tags") or (),
    )
    return {"VirtualMFADevice": device}


@operation("iam", "EnableMFADevice")
def enable_mfa(call: Call) -> Result:
    p = call.params
    user_id, _ = _subject(call, "iam:EnableMFADevice")
    mfa.enable(
        call.tx,
        call.services.box,
        call.caller.account_id,
        user_id,
        p["SerialNumber"],
        p["AuthenticationCode1"],
        p["AuthenticationCode2"],
        call.services.quotas,
    )
    return None


@operation("iam", "ResyncMFADevice")
def resync_mfa(call: Call) -> Result:
    p = call.params
    user_id, _ = _subject(call, "iam:ResyncMFADevice")
    mfa.resync(
        call.tx,
        call.services.box,
        call.caller.account_id,
        user_id,
        p["SerialNumber"],
        p["AuthenticationCode1"],
        p["AuthenticationCode2"],
    )
    return None


@operation("iam", "DeactivateMFADevice")
def deactivate_mfa(call: Call) -> Result:
    user_id, _ = _subject(call, "iam:DeactivateMFADevice")
    mfa.deactivate(call.tx, call.caller.account_id, user_id, call.params["SerialNumber"])
    return None


@operation("iam", "DeleteVirtualMFADevice")
def delete_virtual_mfa(call: Call) -> Result:
    serial = call.params["SerialNumber"]
    authorize(call, "iam:DeleteVirtualMFADevice", serial)
    mfa.delete_virtual(call.tx, call.caller.account_id, serial)
    return None


def _device_user(call: Call, device: dict[str, Any]) -> dict[str, Any] | None:
    account = call.caller.account_id
    if device["for_root"]:
        return {
            "Path": "/",
            "UserName": account,
            "UserId": account,
            "Arn": names.root_arn(account),
            "CreateDate": accounts.get_account(call.tx, account)["created_at"],
        }
    if device["user_id"]:
        row = entities.get_by_id(call.tx, USER, device["user_id"])
        return None if row is None else users.view(call.tx, account, row)
    return None


@operation("iam", "ListVirtualMFADevices")
def list_virtual_mfa(call: Call) -> Result:
    account = call.caller.account_id
    authorize(call, "iam:ListVirtualMFADevices", f"arn:aws:iam::{account}:mfa/")
    wanted = call.params.get("AssignmentStatus") or "Any"
    found = []
    for device in mfa.list_devices(call.tx, account):
        assigned = device["enabled_at"] is not None
        if (wanted == "Assigned" and not assigned) or (wanted == "Unassigned" and assigned):
            continue
        item: dict[str, Any] = {
            "SerialNumber": device["serial_number"],
            "EnableDate": device["enabled_at"],
        }
        if assigned:
            item["User"] = _device_user(call, device)
        item["Tags"] = tags.list_tags(call.tx, device["serial_number"]) or None
        found.append(item)
    return paginate(call, found, "VirtualMFADevices")


@operation("iam", "ListMFADevices")
def list_mfa_devices(call: Call) -> Result:
    user_id, name = _subject(call, "iam:ListMFADevices")
    found = [
        {"UserName": name, "SerialNumber": d["serial_number"], "EnableDate": d["enabled_at"]}
        for d in mfa.devices_of(call.tx, call.caller.account_id, user_id)
    ]
    return paginate(call, found, "MFADevices")


@operation("iam", "TagMFADevice")
def tag_mfa(call: Call) -> Result:
    serial = call.params["SerialNumber"]
    authorize(call, "iam:TagMFADevice", serial, tag_context(call))
    mfa.get_device(call.tx, call.caller.account_id, serial)
    tags.tag(call.tx, call.caller.account_id, serial, call.params["Tags"], call.services.quotas)
    return None


@operation("iam", "UntagMFADevice")
def untag_mfa(call: Call) -> Result:
    serial = call.params["SerialNumber"]
    authorize(call, "iam:UntagMFADevice", serial, {"aws:TagKeys": call.params["TagKeys"]})
    mfa.get_device(call.tx, call.caller.account_id, serial)
    tags.untag(call.tx, serial, call.params["TagKeys"])
    return None


@operation("iam", "ListMFADeviceTags")
def list_mfa_tags(call: Call) -> Result:
    serial = call.params["SerialNumber"]
    authorize(call, "iam:ListMFADeviceTags", serial)
    mfa.get_device(call.tx, call.caller.account_id, serial)
    return paginate(call, tags.list_tags(call.tx, serial), "Tags")
