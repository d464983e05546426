"""IAM users' SSH public keys."""

from __future__ import annotations

from stockade.api.context import Call
from stockade.api.registry import Result, caller_user_name, operation, paginate, target
from stockade.identity import ssh_keys
from stockade.identity.entities import USER


@operation("iam", "UploadSSHPublicKey")
def upload_ssh_public_key(call: Call) -> Result:
    user = target(call, USER, call.params["UserName"], "iam:UploadSSHPublicKey")
    key = ssh_keys.upload(
        call.tx,
        call.caller.account_id,
        user["user_id"],
        user["name"],
        call.params["SSHPublicKeyBody"],
        call.services.quotas,
    )
    return {"SSHPublicKey": key}


@operation("iam", "GetSSHPublicKey")
def get_ssh_public_key(call: Call) -> Result:
    p = call.params
    user = target(call, USER, p["UserName"], "iam:GetSSHPublicKey")
    row = ssh_keys.get(call.tx, user["user_id"], p["SSHPublicKeyId"])
    return {"SSHPublicKey": ssh_keys.view(row, user["name"], p["Encoding"])}


@operation("iam", "ListSSHPublicKeys")
def list_ssh_public_keys(call: Call) -> Result:
    user = target(call, USER, caller_user_name(call), "iam:ListSSHPublicKeys")
    found = ssh_keys.list_keys(call.tx, user["user_id"], user["name"])
    return paginate(call, found, "SSHPublicKeys")


@operation("iam", "UpdateSSHPublicKey")
def update_ssh_public_key(call: Call) -> Result:
    p = call.params
    user = target(call, USER, p["UserName"], "iam:UpdateSSHPublicKey")
    ssh_keys.set_status(call.tx, user["user_id"], p["SSHPublicKeyId"], p["Status"])
    return None


@operation("iam", "DeleteSSHPublicKey")
def delete_ssh_public_key(call: Call) -> Result:
    p = call.params
    user = target(call, USER, p["UserName"], "iam:DeleteSSHPublicKey")
    ssh_keys.delete(call.tx, user["user_id"], p["SSHPublicKeyId"])
    return None
