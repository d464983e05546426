"""Who a web identity token or a SAML assertion proves the caller to be, in the role's account.

`web_identity` and `saml_assertion` find the account's identity provider, verify the token or
assertion with the security layer (`stockade.auth.oidc`, `stockade.auth.saml`) and return a
`FederatedCaller`: the provider as the principal a trust policy names
(`{"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/HOST"}`), the condition keys the trust policy
can test, and what the role session takes from the token (session tags, source identity) and
puts in the response. Whether the role trusts that caller is the STS handler's decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.auth import oidc, saml
from stockade.auth.federation import FederationError, invalid
from stockade.auth.jwks import JwksError, JwksFetcher, KeySet, parse_jwks
from stockade.identity import oidc_providers, saml_metadata, saml_providers
from stockade.identity.errors import InvalidInput, NoSuchEntity
from stockade.policy import Principal, PrincipalType

# The claim AWS reads a web identity session's source identity from.
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
_SOURCE_IDENTITY = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")


@dataclass(frozen=True, slots=True)
class FederatedCaller:
    provider_arn: str
    principal: Principal
    context: dict[str, Any]  # condition keys for the trust policy (and the session's aws:…)
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    session_name: str | None = None  # SAML: from the assertion; web identity: the request's
    not_after: datetime | None = None  # SAML SessionNotOnOrAfter: the session ends by then
    response: dict[str, Any] = field(default_factory=dict)  # the operation's own output fields


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _tag_context(
    tags: Mapping[str, str], transitive: tuple[str, ...], source_identity: str | None
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, value in tags.items():
        context[f"aws:RequestTag/{key}"] = value
    if tags:
        context["aws:TagKeys"] = list(tags)
    if transitive:
        context["sts:TransitiveTagKeys"] = list(transitive)
    if source_identity is not None:
        context["sts:SourceIdentity"] = source_identity
    return context


def _key_source(provider: Mapping[str, Any], fetcher: JwksFetcher, issuer: str) -> oidc.KeySource:
    uploaded = provider.get("jwks")
    if uploaded:
        try:
            keys = parse_jwks(str(uploaded))
        except JwksError:
            # Checked when uploaded; a set that no longer parses is the provider's problem.
            raise invalid("The key set uploaded for this provider cannot verify tokens.") from None
        return lambda kid: keys

    def fetched(kid: str | None) -> KeySet:
        return fetcher.key_set(issuer, wanted_kid=kid)

    return fetched


def web_identity(
    tx: Connection,
    fetcher: JwksFetcher,
    account_id: str,
    token: str,
    now: datetime,
) -> FederatedCaller:
    """Verify an OIDC token for a role in `account_id`; FederationError if it cannot be trusted."""
    issuer = oidc.unverified_issuer(token)
    provider = oidc_providers.find_by_issuer(tx, account_id, issuer)
    if provider is None:
        raise invalid(f"No OpenIDConnect provider found in your account for {issuer}")
    verified = oidc.verify_token(
        token,
        issuer=issuer,
        client_ids=list(provider["client_ids"]),
        keys=_key_source(provider, fetcher, issuer),
        now=now,
    )
    source_identity = verified.claims.get(SOURCE_IDENTITY_CLAIM)
    if source_identity is not None and (
        not isinstance(source_identity, str)
        or not _SOURCE_IDENTITY.fullmatch(source_identity)
        or source_identity.lower().startswith("aws:")
    ):
        raise invalid(
            'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'
        )
    arn = str(provider["arn"])
    context = {
        "aws:FederatedProvider": arn,
        **oidc.condition_keys(verified),
        **_tag_context(verified.session_tags, verified.transitive_tag_keys, source_identity),
    }
    return FederatedCaller(
        provider_arn=arn,
        principal=Principal(arn, PrincipalType.WEB_IDENTITY),
        context=context,
        tags=tuple(verified.session_tags.items()),
        transitive_tag_keys=verified.transitive_tag_keys,
        source_identity=source_identity,
        response={
            "SubjectFromWebIdentityToken": verified.subject,
            "Audience": verified.audience,
            "Provider": verified.issuer,
        },
    )


def saml_assertion(
    tx: Connection,
    provider_arn: str,
    role_arn: str,
    assertion: str,
    now: datetime,
) -> FederatedCaller:
    """Verify a SAML response naming `role_arn` with the provider `provider_arn`."""
    account_id = account_of(provider_arn)
    try:
        saml_providers.check_arn(provider_arn)
        provider = saml_providers.get(tx, account_id, provider_arn)
    except (NoSuchEntity, InvalidInput):
        raise invalid("Specified provider doesn't exist.") from None
    metadata = saml_metadata.parse(str(provider["metadata_document"]))
    verified = saml.verify_response(
        assertion,
        certificates=list(provider["signing_certificates"]),
        entity_id=metadata.entity_id,
        now=now,
    )
    if (role_arn, provider_arn) not in verified.roles:
        # The IdP did not grant this role through this provider: as AWS, the caller is not
        # authorized (raised by the handler with AccessDenied's wording).
        raise FederationError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
    name = str(provider["name"])
    context = {
        "aws:FederatedProvider": provider_arn,
        "sts:RoleSessionName": verified.role_session_name,
        **saml.condition_keys(verified, account_id, name),
        **_tag_context(
            verified.session_tags, verified.transitive_tag_keys, verified.source_identity
        ),
    }
    return FederatedCaller(
        provider_arn=provider_arn,
        principal=Principal(provider_arn, PrincipalType.SAML_USER),
        context=context,
        tags=tuple(verified.session_tags.items()),
        transitive_tag_keys=verified.transitive_tag_keys,
        source_identity=verified.source_identity,
        session_name=verified.role_session_name,
        not_after=verified.session_not_on_or_after,
        response={
            "Subject": verified.name_id,
            "SubjectType": verified.subject_type,
            "Issuer": verified.issuer,
            "Audience": verified.recipient,
            "NameQualifier": saml.name_qualifier(verified.issuer, account_id, name),
        },
    )
