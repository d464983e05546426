"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML: role sessions for callers an identity
provider vouches for. Unsigned, as on AWS: the token or assertion is the credential.

Order, as AWS STS checks: the token or assertion first (InvalidIdentityToken,
ExpiredTokenException, …), then the role's trust policy for the provider as a Federated
principal with the token's condition keys (AccessDenied "Not authorized to perform …", which
says nothing of whether the role exists), then the session (DurationSeconds, session policies).
docs/federation.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from stockade.api.context import OpenCall
from stockade.api.registry import Result, open_operation
from stockade.auth.federation import FederationError
from stockade.identity import federation, sessions, tags, trust
from stockade.identity.federation import FederatedCaller
from stockade.protocol import AWSError

WEB_IDENTITY = "AssumeRoleWithWebIdentity"
SAML = "AssumeRoleWithSAML"


@contextmanager
def _as_aws_errors() -> Iterator[None]:
    try:
        yield
    except FederationError as exc:
        raise AWSError(exc.code, exc.message) from None


def _not_authorized(operation: str) -> AWSError:
    return AWSError("AccessDenied", f"Not authorized to perform sts:{operation}", 403)


@open_operation("sts", WEB_IDENTITY, writes=True)  # RoleLastUsed
def assume_role_with_web_identity(call: OpenCall) -> Result:
    p = call.params
    role_arn = str(p["RoleArn"])
    account_id, _ = _role_account(role_arn)
    with _as_aws_errors():
        caller = federation.web_identity(
            call.tx, call.services.jwks, account_id, str(p["WebIdentityToken"]), call.request_time
        )
    session_name = str(p["RoleSessionName"])
    return _assume(call, WEB_IDENTITY, role_arn, caller, session_name, p.get("DurationSeconds"))


@open_operation("sts", SAML, writes=True)
def assume_role_with_saml(call: OpenCall) -> Result:
    p = call.params
    role_arn = str(p["RoleArn"])
    _role_account(role_arn)
    with _as_aws_errors():
        caller = federation.saml_assertion(
            call.tx, str(p["PrincipalArn"]), role_arn, str(p["SAMLAssertion"]), call.request_time
        )
    assert caller.session_name is not None  # the assertion's RoleSessionName, required
    duration = p.get("DurationSeconds")
    return _assume(call, SAML, role_arn, caller, caller.session_name, duration)


def _role_account(role_arn: str) -> tuple[str, str]:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise AWSError("ValidationError", "Request ARN is invalid", 400)
    return parts[4], parts[5]


def _assume(
    call: OpenCall,
    operation: str,
    role_arn: str,
    caller: FederatedCaller,
    session_name: str,
    duration: int | None,
) -> dict[str, Any]:
    p = call.params
    _, role = sessions.find_role_by_arn(call.tx, role_arn)
    if role is None:
        raise _not_authorized(operation)
    context: dict[str, Any] = {
        **call.context,
        **caller.context,
        "sts:RoleSessionName": session_name,
    }
    for tag in tags.list_tags(call.tx, role_arn):
        context[f"aws:ResourceTag/{tag['Key']}"] = tag["Value"]
    actions = [f"sts:{operation}"]
    if caller.tags:
        actions.append("sts:TagSession")
    if caller.source_identity is not None:
        actions.append("sts:SetSourceIdentity")
    # No identity policy of the caller's: the provider is outside IAM, the trust policy decides.
    if trust.denied_action(role_arn, role, caller.principal, context, actions, None) is not None:
        raise _not_authorized(operation)
    seconds = sessions.role_session_duration(role, duration, chained=False)
    if caller.not_after is not None:
        # A SAML session ends by the assertion's SessionNotOnOrAfter (AssumeRoleWithSAML docs).
        remaining = int((caller.not_after - call.request_time).total_seconds())
        seconds = max(1, min(seconds, remaining))
    result = sessions.issue_role_session(
        call.tx,
        call.services.tokens,
        str(role["account_id"]),
        role,
        session_name,
        now=call.request_time,
        duration=seconds,
        policy=p.get("Policy"),
        policy_arns=[str(item["arn"]) for item in p.get("PolicyArns") or ()],
        tags=caller.tags,
        transitive_tag_keys=caller.transitive_tag_keys,
        source_identity=caller.source_identity,
        issuer=operation,
    )
    result.update(caller.response)
    return result
