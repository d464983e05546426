"""IAM users' service-specific credentials (CodeCommit Git credentials, Keyspaces logins)."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, caller_user_name, entity_arn, operation, paginate, target
from stockade.identity import entities, service_credentials
from stockade.identity.entities import USER
from stockade.identity.errors import NoSuchEntity, ValidationError

_SERVICE_KEY = "iam:ServiceSpecificCredentialServiceName"


@operation("iam", "CreateServiceSpecificCredential")
def create_service_specific_credential(call: Call) -> Result:
    p = call.params
    service = p["ServiceName"]
    extra: dict[str, Any] = {_SERVICE_KEY: service}
    if p.get("CredentialAgeDays") is not None:
        extra["iam:ServiceSpecificCredentialAgeDays"] = p["CredentialAgeDays"]
    user = target(call, USER, p["UserName"], "iam:CreateServiceSpecificCredential", extra)
    if p.get("CredentialAgeDays") is not None:
        # Only API keys (Bedrock, CloudWatch Logs) expire, and those are not offered.
        raise ValidationError(f"CredentialAgeDays is not valid for {service}.")
    credential = service_credentials.create(
        call.tx,
        call.caller.account_id,
        user["user_id"],
        user["name"],
        service,
        call.services.quotas,
    )
    return {"ServiceSpecificCredential": credential}


@operation("iam", "ListServiceSpecificCredentials")
def list_service_specific_credentials(call: Call) -> Result:
    p = call.params
    account = call.caller.account_id
    if p.get("AllUsers"):
        if p.get("UserName"):
            raise ValidationError("UserName cannot be given with AllUsers.")
        authorize(call, "iam:ListServiceSpecificCredentials", f"arn:aws:iam::{account}:user/*")
        owners = {row["user_id"]: row["name"] for row in entities.listing(call.tx, USER, account)}
    else:
        user = target(call, USER, caller_user_name(call), "iam:ListServiceSpecificCredentials")
        owners = {user["user_id"]: user["name"]}
    service = p.get("ServiceName")
    if service:
        service_credentials.check_service(service)
    found = service_credentials.listing(call.tx, account, owners, service)
    return paginate(call, found, "ServiceSpecificCredentials")


def _credential(call: Call, action: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(user, credential) an operation is about, once the caller may do `action` on the user.

    Both are looked up first so that the credential's service can be offered to the policy as
    iam:ServiceSpecificCredentialServiceName; what does not exist is told only after.
    """
    name = caller_user_name(call)
    credential_id = call.params["ServiceSpecificCredentialId"]
    user = entities.find(call.tx, USER, call.caller.account_id, name)
    credential = (
        None if user is None else service_credentials.find(call.tx, user["user_id"], credential_id)
    )
    extra = {} if credential is None else {_SERVICE_KEY: credential["service_name"]}
    authorize(call, action, entity_arn(call, USER, name, user), extra)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    if credential is None:
        raise service_credentials.not_found(credential_id)
    return user, credential


@operation("iam", "ResetServiceSpecificCredential")
def reset_service_specific_credential(call: Call) -> Result:
    user, credential = _credential(call, "iam:ResetServiceSpecificCredential")
    return {
        "ServiceSpecificCredential": service_credentials.reset(call.tx, credential, user["name"])
    }


@operation("iam", "UpdateServiceSpecificCredential")
def update_service_specific_credential(call: Call) -> Result:
    _, credential = _credential(call, "iam:UpdateServiceSpecificCredential")
    service_credentials.set_status(call.tx, credential, call.params["Status"])
    return None


@operation("iam", "DeleteServiceSpecificCredential")
def delete_service_specific_credential(call: Call) -> Result:
    _, credential = _credential(call, "iam:DeleteServiceSpecificCredential")
    service_credentials.delete(call.tx, credential)
    return None
