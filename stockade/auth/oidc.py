"""OpenID Connect tokens for AssumeRoleWithWebIdentity: signature, issuer, audience, lifetime.

`verify_token` trusts nothing in the token before its signature checks out against the
provider's key set, except the `iss` claim (read unverified by `unverified_issuer`) that says
which provider's keys to use; the verified `iss` must then be that same issuer. Only
asymmetric algorithms are accepted (see `jwks.ALGORITHMS`): `none` and HMAC are refused, so a
token cannot choose to be checked against a public key used as an HMAC secret.

`condition_keys` gives the trust policy the claims AWS exposes for OIDC federation:
`HOST/PATH:sub`, `:aud`, `:amr`, `:oaud` and, for GitHub Actions' issuer, the claims AWS STS
validates for GitHub (`token.actions.githubusercontent.com:repository`, `:ref`, …).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
from jwt.exceptions import InvalidSignatureError, PyJWTError

from stockade.auth.federation import EXPIRED_TOKEN, FederationError, invalid
from stockade.auth.jwks import ALGORITHMS, KeySet

# Allowance for clocks that disagree a little (the issuer's and ours).
LEEWAY_SECONDS = 30
MAX_TOKEN_CHARS = 20000  # botocore's model: WebIdentityToken is 4 to 20000 characters

GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com"
# The GitHub Actions claims AWS STS offers as condition keys, beyond sub, aud and amr.
GITHUB_CLAIMS = (
    "actor",
    "actor_id",
    "job_workflow_ref",
    "repository",
    "repository_id",
    "workflow",
    "ref",
    "environment",
    "enterprise_id",
)
SESSION_TAGS_CLAIM = "https://aws.amazon.com/tags"

_MALFORMED = "The web identity token is not a well-formed JWT."


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    issuer: str  # the `iss` claim: https://host/path
    subject: str
    audience: str  # the registered client id the token was issued for
    claims: Mapping[str, Any]
    session_tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        """`host/path`: the provider's name in its ARN and the prefix of its condition keys."""
        return self.issuer.removeprefix("https://")


def _claims_unverified(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise invalid(_MALFORMED)
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise invalid(_MALFORMED) from None
    if not isinstance(claims, dict):
        raise invalid(_MALFORMED)
    return claims


def unverified_issuer(token: str) -> str:
    """The `iss` a token claims, to find its provider; nothing else is read before verifying."""
    if len(token) > MAX_TOKEN_CHARS:
        raise invalid(_MALFORMED)
    issuer = _claims_unverified(token).get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise invalid("The web identity token has no issuer (iss claim).")
    return issuer


KeySource = Callable[[str | None], KeySet]  # kid → the provider's key set


def verify_token(
    token: str,
    *,
    issuer: str,
    client_ids: Collection[str],
    keys: KeySource,
    now: datetime,
) -> VerifiedToken:
    try:
        header = jwt.get_unverified_header(token)
    except PyJWTError:
        raise invalid(_MALFORMED) from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise invalid(f"The web identity token's algorithm {alg!r} is not accepted.")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise invalid(_MALFORMED)
    candidates = keys(kid).candidates(kid, alg)
    if not candidates:
        raise invalid(
            f"No key in the identity provider's key set matches the token (kid {kid!r}, {alg})."
        )
    claims = _signed_claims(token, alg, candidates)
    if claims.get("iss") != issuer:
        raise invalid(f"The token's issuer is not {issuer}.")
    _check_lifetime(claims, now)
    audience = _audience(claims, client_ids)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise invalid("The web identity token has no subject (sub claim).")
    tags, transitive = _session_tags(claims.get(SESSION_TAGS_CLAIM))
    return VerifiedToken(issuer, subject, audience, claims, tags, transitive)


def _signed_claims(token: str, alg: str, candidates: list[Any]) -> dict[str, Any]:
    # Signature only here; the time and audience checks follow, with AWS's wording.
    options: Any = {
        "verify_signature": True,
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        "verify_aud": False,
        "verify_iss": False,
        "verify_sub": False,
        "verify_jti": False,
        "require": [],
    }
    for candidate in candidates:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, candidate.key, algorithms=[alg], options=options
            )
        except InvalidSignatureError:
            continue
        except PyJWTError:
            raise invalid(_MALFORMED) from None
        return claims
    raise invalid("The web identity token's signature is not valid.")


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"The web identity token's {name} claim is not a number.")
    return float(value)


def _check_lifetime(claims: Mapping[str, Any], now: datetime) -> None:
    current = now.timestamp()
    expires = _numeric(claims, "exp")
    if expires is None:
        raise invalid("The web identity token has no expiration (exp claim).")
    if current >= expires + LEEWAY_SECONDS:
        raise FederationError(
            EXPIRED_TOKEN,
            f"Token expired: current date/time {int(current)} must be before the expiration "
            f"date/time {int(expires)}",
        )
    not_before = _numeric(claims, "nbf")
    if not_before is not None and not_before > current + LEEWAY_SECONDS:
        raise invalid("The web identity token is not valid yet (nbf is in the future).")
    issued = _numeric(claims, "iat")
    if issued is not None and issued > current + LEEWAY_SECONDS:
        raise invalid("The web identity token was issued in the future (iat).")


def _audience(claims: Mapping[str, Any], client_ids: Collection[str]) -> str:
    """The registered client id the token is for: its `azp` when that is a registered client id
    among its audiences, else the first `aud` value that is one."""
    raw = claims.get("aud")
    audiences = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    audiences = [a for a in audiences if isinstance(a, str)]
    party = claims.get("azp")
    if isinstance(party, str) and party in client_ids and party in audiences:
        return party
    for audience in audiences:
        if audience in client_ids:
            return audience
    raise invalid("Incorrect token audience")


def _session_tags(value: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    """`https://aws.amazon.com/tags`: {"principal_tags": {K: [V]}, "transitive_tag_keys": [K]}."""
    if value is None:
        return {}, ()
    wrong = invalid(f"The {SESSION_TAGS_CLAIM} claim is not in the format AWS documents.")
    if not isinstance(value, dict):
        raise wrong
    tags: dict[str, str] = {}
    principal_tags = value.get("principal_tags", {})
    if not isinstance(principal_tags, dict):
        raise wrong
    for key, values in principal_tags.items():
        if not (isinstance(values, list) and len(values) == 1 and isinstance(values[0], str)):
            raise wrong
        tags[str(key)] = values[0]
    transitive = value.get("transitive_tag_keys", [])
    if not isinstance(transitive, list) or not all(isinstance(k, str) for k in transitive):
        raise wrong
    return tags, tuple(transitive)


def _claim_value(value: Any) -> str | list[str] | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def condition_keys(token: VerifiedToken) -> dict[str, Any]:
    """The request context keys a trust policy can test for this token."""
    provider = token.provider
    keys: dict[str, Any] = {f"{provider}:sub": token.subject, f"{provider}:aud": token.audience}
    amr = _claim_value(token.claims.get("amr"))
    if amr is not None:
        keys[f"{provider}:amr"] = amr
    raw = token.claims.get("aud")
    audiences = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    others = [a for a in audiences if isinstance(a, str) and a != token.audience]
    if others:
        keys[f"{provider}:oaud"] = others
    if provider == GITHUB_ISSUER_HOST:
        for claim in GITHUB_CLAIMS:
            value = _claim_value(token.claims.get(claim))
            if value is not None:
                keys[f"{provider}:{claim}"] = value
    return keys
