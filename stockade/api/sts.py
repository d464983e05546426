"""STS: caller identity, temporary credentials, role sessions, federated users. docs/sts.md."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize, caller_policies, decide
from stockade.api.context import Call
from stockade.api.registry import Result, operation, resource_tag_context
from stockade.auth.authorization_messages import MessageError
from stockade.auth.session_tokens import account_of_temporary_key
from stockade.identity import keys, sessions, trust
from stockade.identity.errors import AccessDenied
from stockade.identity.tags import list_tags as tags_of
from stockade.policy import Outcome, explain
from stockade.policy.request import PrincipalType
from stockade.protocol import AWSError


@operation("sts", "GetCallerIdentity", writes=False, from_memory=True)
def get_caller_identity(call: Call) -> Result:
    # Needs no permission and cannot be denied (STS API Reference).
    caller = call.caller
    return {"UserId": caller.unique_id, "Account": caller.account_id, "Arn": caller.arn}


@operation("sts", "GetAccessKeyInfo", writes=False)
def get_access_key_info(call: Call) -> Result:
    authorize(call, "sts:GetAccessKeyInfo", "*")
    key_id = str(call.params["AccessKeyId"])
    account = account_of_temporary_key(key_id) or keys.account_of_key(call.tx, key_id)
    if account is None:
        raise AWSError("InvalidParameterValue", f"The access key ID {key_id} is not valid.", 400)
    return {"Account": account}


@operation("sts", "GetSessionToken", writes=True)  # an MFA code, once accepted, is spent
def get_session_token(call: Call) -> Result:
    caller = call.caller
    # Any user may get a session of itself: no Allow is needed, but an explicit Deny stops it.
    outcome, request, policies = decide(call, "sts:GetSessionToken", "*")
    if outcome is Outcome.EXPLICIT_DENY and policies is not None:
        message = explain(request, policies).denial_message(caller.arn, request.action, "*")
        raise AWSError("AccessDenied", message, 403)
    p = call.params
    return sessions.get_session_token(
        call.tx,
        call.services.box,
        call.services.tokens,
        caller.account_id,
        caller.user if caller.is_user else None,
        duration=p.get("DurationSeconds"),
        serial=p.get("SerialNumber"),
        code=p.get("TokenCode"),
        now=call.request_time,
    )


def _request_keys(call: Call, tags: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The STS condition keys an AssumeRole or GetFederationToken request sets."""
    p = call.params
    context: dict[str, Any] = {f"aws:RequestTag/{key}": value for key, value in tags}
    if tags:
        context["aws:TagKeys"] = [key for key, _ in tags]
    if p.get("TransitiveTagKeys"):
        context["sts:TransitiveTagKeys"] = list(p["TransitiveTagKeys"])
    for param, key in (
        ("RoleSessionName", "sts:RoleSessionName"),
        ("ExternalId", "sts:ExternalId"),
        ("SourceIdentity", "sts:SourceIdentity"),
    ):
        if p.get(param) is not None:
            context[key] = str(p[param])
    return context


def _denied(call: Call, action: str, resource: str) -> AWSError:
    # AssumeRole's refusal names neither the policy nor whether the role exists.
    message = (
        f"User: {call.caller.arn} is not authorized to perform: {action} on resource: {resource}"
    )
    return AWSError("AccessDenied", message, 403)


@operation("sts", "AssumeRole", writes=True)  # RoleLastUsed, and a spent MFA code
def assume_role(call: Call) -> Result:
    p = call.params
    caller = call.caller
    role_arn = str(p["RoleArn"])
    tags = sessions.tag_pairs(p.get("Tags"))
    _, role = sessions.find_role_by_arn(call.tx, role_arn)
    context = {**call.context, **_request_keys(call, tags)}
    if p.get("SerialNumber") or p.get("TokenCode"):
        if caller.kind not in (PrincipalType.USER, PrincipalType.ROOT):
            raise AccessDenied(sessions.MFA_FAILED)  # only users and the root user own devices
        mfa_at = sessions.verify_mfa(
            call.tx,
            call.services.box,
            caller.account_id,
            caller.user_id,
            p.get("SerialNumber"),
            p.get("TokenCode"),
            call.request_time,
        )
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = "0"
    else:
        mfa_at = None
    if role is None:
        raise _denied(call, "sts:AssumeRole", role_arn)
    context.update(resource_tag_context(tags_of(call.tx, role_arn)))
    actions = ["sts:AssumeRole"]
    if tags or p.get("TransitiveTagKeys"):
        actions.append("sts:TagSession")
    if p.get("SourceIdentity") is not None:
        actions.append("sts:SetSourceIdentity")
    refused = trust.denied_action(
        role_arn,
        role,
        caller.principal,
        context,
        actions,
        caller_policies(call.tx, call.services, caller),
    )
    if refused is not None:
        raise _denied(call, refused, role_arn)
    return sessions.issue_role_session(
        call.tx,
        call.services.tokens,
        str(role["account_id"]),
        role,
        str(p["RoleSessionName"]),
        now=call.request_time,
        duration=p.get("DurationSeconds"),
        policy=p.get("Policy"),
        policy_arns=[str(item["arn"]) for item in p.get("PolicyArns") or ()],
        tags=tags,
        transitive_tag_keys=[str(key) for key in p.get("TransitiveTagKeys") or ()],
        source_identity=p.get("SourceIdentity"),
        mfa_at=mfa_at,
        parent=caller.session,
    )


@operation("sts", "GetFederationToken", writes=False)
def get_federation_token(call: Call) -> Result:
    p = call.params
    caller = call.caller
    name = str(p["Name"])
    tags = sessions.tag_pairs(p.get("Tags"))
    arn = sessions.federated_user_arn(caller.account_id, name)
    extra = _request_keys(call, tags)
    authorize(call, "sts:GetFederationToken", arn, extra)
    if tags:
        authorize(call, "sts:TagSession", arn, extra)
    return sessions.get_federation_token(
        call.tx,
        call.services.tokens,
        caller.account_id,
        caller.user if caller.is_user else None,
        name,
        now=call.request_time,
        duration=p.get("DurationSeconds"),
        policy=p.get("Policy"),
        policy_arns=[str(item["arn"]) for item in p.get("PolicyArns") or ()],
        tags=tags,
    )


@operation("sts", "DecodeAuthorizationMessage", writes=False)
def decode_authorization_message(call: Call) -> Result:
    authorize(call, "sts:DecodeAuthorizationMessage", "*")
    try:
        text = call.services.messages.decode(
            str(call.params["EncodedMessage"]), call.caller.account_id
        )
    except MessageError:
        raise AWSError(
            "InvalidAuthorizationMessageException",
            "The message passed to DecodeAuthorizationMessage is not valid.",
        ) from None
    return {"DecodedMessage": text}
