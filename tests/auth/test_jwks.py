"""Key sets: what an uploaded JWKS may hold, and fetching one from a live issuer over TLS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from stockade.auth.federation import FederationError
from stockade.auth.jwks import CA_BUNDLE_ENV, JwksError, JwksFetcher, parse_jwks
from tests.idp import OidcIssuer
from tests.issuer_server import Issuer, serve_issuer


def test_a_public_key_set_parses() -> None:
    rsa_issuer, ec_issuer = (
        OidcIssuer("https://a.example"),
        OidcIssuer("https://a.example", algorithm="ES256"),
    )
    keys = parse_jwks(json.dumps({"keys": [rsa_issuer.jwk(), ec_issuer.jwk()]}))
    assert [k.kid for k in keys.keys] == [rsa_issuer.kid, ec_issuer.kid]
    assert [k.kid for k in keys.candidates(ec_issuer.kid, "ES256")] == [ec_issuer.kid]
    assert keys.candidates(rsa_issuer.kid, "ES256") == []


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("not json", "not JSON"),
        ('{"keys": {}}', '"keys" array'),
        ('{"keys": []}', "no RSA or EC signing key"),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "private or secret"),
        ('{"keys": [{"kty": "RSA", "n": "AQAB"}]}', "not a usable RSA public key"),
    ],
)
def test_unusable_key_sets_say_why(document: str, reason: str) -> None:
    with pytest.raises(JwksError, match=reason):
        parse_jwks(document)


def test_a_private_key_is_refused() -> None:
    issuer = OidcIssuer("https://a.example")
    import jwt

    private = json.loads(jwt.get_algorithm_by_name("RS256").to_jwk(issuer.key))
    with pytest.raises(JwksError, match="private"):
        parse_jwks(json.dumps({"keys": [private]}))


@pytest.fixture
def live_issuer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Issuer]:
    with serve_issuer(tmp_path) as issuer:
        monkeypatch.setenv(CA_BUNDLE_ENV, str(issuer.ca_file))
        yield issuer


def test_keys_are_fetched_through_discovery_and_cached(live_issuer: Issuer) -> None:
    signer = OidcIssuer(live_issuer.url)
    live_issuer.jwks = signer.jwks()
    fetcher = JwksFetcher()
    keys = fetcher.key_set(live_issuer.url, wanted_kid=signer.kid)
    assert keys.has_kid(signer.kid)
    assert live_issuer.requests == ["/oidc/.well-known/openid-configuration", "/oidc/jwks"]
    fetcher.key_set(live_issuer.url, wanted_kid=signer.kid)
    assert len(live_issuer.requests) == 2  # from the cache


def test_an_unknown_kid_refreshes_the_set_at_most_once_a_minute(live_issuer: Issuer) -> None:
    old, new = OidcIssuer(live_issuer.url), OidcIssuer(live_issuer.url)
    live_issuer.jwks = old.jwks()
    clock = [1000.0]
    fetcher = JwksFetcher(clock=lambda: clock[0])
    fetcher.key_set(live_issuer.url)
    live_issuer.jwks = new.jwks()  # the issuer rotates its key
    clock[0] += 10
    assert not fetcher.key_set(live_issuer.url, wanted_kid=new.kid).has_kid(new.kid)
    clock[0] += 60
    assert fetcher.key_set(live_issuer.url, wanted_kid=new.kid).has_kid(new.kid)
    assert len(live_issuer.requests) == 4


def test_an_issuer_the_discovery_document_does_not_name_is_refused(live_issuer: Issuer) -> None:
    live_issuer.jwks = OidcIssuer(live_issuer.url).jwks()
    live_issuer.discovery_issuer = "https://evil.example.com"
    with pytest.raises(FederationError) as caught:
        JwksFetcher().key_set(live_issuer.url)
    assert caught.value.code == "InvalidIdentityToken"


def test_a_failing_issuer_is_a_communication_error(live_issuer: Issuer) -> None:
    live_issuer.status = 503
    with pytest.raises(FederationError) as caught:
        JwksFetcher().key_set(live_issuer.url)
    assert caught.value.code == "IDPCommunicationError"


def test_an_unreachable_issuer_is_a_communication_error() -> None:
    with pytest.raises(FederationError) as caught:
        JwksFetcher().key_set("https://127.0.0.1:9/nothing-listens-here")
    assert caught.value.code == "IDPCommunicationError"


def test_an_issuer_with_an_untrusted_certificate_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CA_BUNDLE_ENV, raising=False)
    with serve_issuer(tmp_path) as issuer:
        issuer.jwks = OidcIssuer(issuer.url).jwks()
        with pytest.raises(FederationError) as caught:
            JwksFetcher().key_set(issuer.url)
    assert caught.value.code == "IDPCommunicationError"
    assert issuer.requests == []  # the TLS handshake failed before any request
