"""OIDC token verification: what AssumeRoleWithWebIdentity trusts, and AWS's error for the rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from stockade.auth.federation import FederationError
from stockade.auth.jwks import KeySet, parse_jwks
from stockade.auth.oidc import condition_keys, unverified_issuer, verify_token
from tests.idp import GITHUB_SUB, OidcIssuer, utcnow

GITHUB = "https://token.actions.githubusercontent.com"
CLIENT_IDS = ["sts.amazonaws.com"]


def verify(token: str, issuer: OidcIssuer, keys: KeySet | None = None, **kwargs: Any) -> Any:
    key_set = keys or parse_jwks(issuer.jwks())
    return verify_token(
        token,
        issuer=kwargs.pop("expected_issuer", issuer.url),
        client_ids=kwargs.pop("client_ids", CLIENT_IDS),
        keys=lambda kid: key_set,
        now=utcnow(),
    )


def refused(token: str, issuer: OidcIssuer, **kwargs: Any) -> FederationError:
    with pytest.raises(FederationError) as caught:
        verify(token, issuer, **kwargs)
    return caught.value


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "PS256"])
def test_a_token_signed_by_the_issuers_key_is_accepted(algorithm: str) -> None:
    issuer = OidcIssuer(GITHUB, algorithm=algorithm)
    verified = verify(issuer.token(repository="acme/app", ref="refs/heads/main"), issuer)
    assert verified.subject == GITHUB_SUB
    assert verified.audience == "sts.amazonaws.com"
    assert verified.provider == "token.actions.githubusercontent.com"


def test_condition_keys_name_the_provider_and_githubs_claims() -> None:
    issuer = OidcIssuer(GITHUB)
    token = issuer.token(repository="acme/app", ref="refs/heads/main", actor="octocat", amr=["pwd"])
    keys = condition_keys(verify(token, issuer))
    assert keys["token.actions.githubusercontent.com:sub"] == GITHUB_SUB
    assert keys["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert keys["token.actions.githubusercontent.com:repository"] == "acme/app"
    assert keys["token.actions.githubusercontent.com:ref"] == "refs/heads/main"
    assert keys["token.actions.githubusercontent.com:actor"] == "octocat"
    assert keys["token.actions.githubusercontent.com:amr"] == ["pwd"]


def test_other_providers_get_sub_aud_and_other_audiences_only() -> None:
    issuer = OidcIssuer("https://login.example.com/tenant")
    token = issuer.token(aud=["web-app", "sts.amazonaws.com"], repository="ignored")
    keys = condition_keys(verify(token, issuer))
    assert keys == {
        "login.example.com/tenant:sub": GITHUB_SUB,
        "login.example.com/tenant:aud": "sts.amazonaws.com",
        "login.example.com/tenant:oaud": ["web-app"],
    }


def test_another_audience_is_an_incorrect_token_audience() -> None:
    issuer = OidcIssuer(GITHUB)
    error = refused(issuer.token(aud="https://example.com/other"), issuer)
    assert (error.code, error.message) == ("InvalidIdentityToken", "Incorrect token audience")


def test_a_token_without_audience_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    assert refused(issuer.token(aud=None), issuer).code == "InvalidIdentityToken"


def test_an_expired_token_is_expired_with_awss_message() -> None:
    issuer = OidcIssuer(GITHUB)
    now = int(utcnow().timestamp())
    token = issuer.token(iat=now - 900, nbf=now - 900, exp=now - 600)
    error = refused(token, issuer)
    assert error.code == "ExpiredTokenException"
    assert error.message.startswith("Token expired: current date/time ")
    assert error.message.endswith(f"must be before the expiration date/time {now - 600}")


def test_a_token_not_valid_yet_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    now = int(utcnow().timestamp())
    assert refused(issuer.token(nbf=now + 3600), issuer).code == "InvalidIdentityToken"


def test_a_token_without_expiry_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    assert refused(issuer.token(exp=None), issuer).code == "InvalidIdentityToken"


def test_a_token_signed_by_another_key_with_the_same_kid_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    impostor = OidcIssuer(GITHUB, kid=issuer.kid)
    error = refused(impostor.token(), issuer)
    assert error.code == "InvalidIdentityToken"
    assert "signature" in error.message


def test_a_token_naming_an_unknown_kid_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    stranger = OidcIssuer(GITHUB)
    assert refused(stranger.token(), issuer).code == "InvalidIdentityToken"


def test_a_token_whose_payload_was_changed_after_signing_is_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    header, _, signature = issuer.token().split(".")
    forged = {"iss": GITHUB, "aud": "sts.amazonaws.com", "sub": "repo:evil/app:ref:refs/heads/main"}
    forged["exp"] = int(utcnow().timestamp()) + 300  # type: ignore[assignment]
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert refused(f"{header}.{payload}.{signature}", issuer).code == "InvalidIdentityToken"


def test_unsigned_and_hmac_tokens_are_refused() -> None:
    issuer = OidcIssuer(GITHUB)
    claims = {"iss": GITHUB, "aud": "sts.amazonaws.com", "sub": GITHUB_SUB, "exp": 2**40}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.kid})
    assert "algorithm" in refused(unsigned, issuer).message
    # The classic confusion: the issuer's public key used as an HMAC secret.
    public_pem = issuer.key.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "HS256", "kid": issuer.kid}).encode()
    ).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    mac = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    forged = b".".join([header, body, base64.urlsafe_b64encode(mac).rstrip(b"=")]).decode()
    assert "algorithm" in refused(forged, issuer).message


def test_the_verified_issuer_must_be_the_provider_the_token_was_checked_for() -> None:
    issuer = OidcIssuer(GITHUB)
    error = refused(issuer.token(), issuer, expected_issuer="https://other.example.com")
    assert error.code == "InvalidIdentityToken"


def test_garbage_is_refused_as_malformed() -> None:
    issuer = OidcIssuer(GITHUB)
    for token in ("not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"):
        assert refused(token, issuer).code == "InvalidIdentityToken"
        with pytest.raises(FederationError):
            unverified_issuer(token)


def test_unverified_issuer_reads_iss_only() -> None:
    issuer = OidcIssuer(GITHUB)
    assert unverified_issuer(issuer.token()) == GITHUB
    with pytest.raises(FederationError):
        unverified_issuer(issuer.token(iss=None))


def test_session_tags_claim() -> None:
    issuer = OidcIssuer(GITHUB)
    tags = {"principal_tags": {"team": ["deploy"]}, "transitive_tag_keys": ["team"]}
    verified = verify(issuer.token(**{"https://aws.amazon.com/tags": tags}), issuer)
    assert verified.session_tags == {"team": "deploy"}
    assert verified.transitive_tag_keys == ("team",)
    bad = {"principal_tags": {"team": "deploy"}}
    error = refused(issuer.token(**{"https://aws.amazon.com/tags": bad}), issuer)
    assert error.code == "InvalidIdentityToken"


def test_azp_is_the_audience_when_it_is_a_registered_client() -> None:
    issuer = OidcIssuer("https://accounts.example.com")
    token = issuer.token(aud=["web", "api"], azp="api")
    assert verify(token, issuer, client_ids=["web", "api"]).audience == "api"
    # Without azp, the first registered audience.
    assert (
        verify(issuer.token(aud=["web", "api"]), issuer, client_ids=["web", "api"]).audience
        == "web"
    )
    # An azp the token is not addressed to does not count.
    assert refused(issuer.token(aud=["web"], azp="api"), issuer, client_ids=["api"]).code == (
        "InvalidIdentityToken"
    )
