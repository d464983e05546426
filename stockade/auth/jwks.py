"""An OIDC issuer's signing keys: a JSON Web Key Set, uploaded or fetched from the issuer.

Fetching follows OpenID Connect Discovery: `ISSUER/.well-known/openid-configuration` names the
`jwks_uri`, and the document's own `issuer` must be the issuer asked about. Both requests go over
TLS verified against the system's trust store (plus `STOCKADE_OIDC_CA_BUNDLE`, a PEM file for a
private CA), which is what AWS now relies on too: a provider's certificate thumbprints are kept
for API compatibility but are not what makes a fetched key trusted (docs/federation.md).

Fetched sets are cached per issuer for an hour; a token naming a key id the cached set lacks
(the issuer rotated its keys) may refresh it, at most once a minute per issuer, so a stream of
tokens with made-up key ids cannot turn Stockade into a request amplifier.
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from stockade.auth.federation import (
    IDP_COMMUNICATION_ERROR,
    FederationError,
    invalid,
)

# The key types and algorithms an issuer may sign with. HMAC would need a shared secret (a JWKS
# is public) and `none` is no signature at all.
ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
_KEY_TYPES = frozenset({"RSA", "EC"})
# Members only a private key has; an uploaded set holding one is a mistake worth refusing.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

MAX_JWKS_BYTES = 256 * 1024
CACHE_SECONDS = 3600.0
REFRESH_INTERVAL_SECONDS = 60.0
TIMEOUT_SECONDS = 5.0
CA_BUNDLE_ENV = "STOCKADE_OIDC_CA_BUNDLE"

_UNRETRIEVABLE = (
    "Couldn't retrieve verification key from your identity provider, please reference "
    "AssumeRoleWithWebIdentity documentation for requirements"
)


class JwksError(ValueError):
    """An uploaded key set that cannot serve: the reason, for the person uploading it."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str | None
    kty: str
    alg: str | None  # the key's own `alg`, when it names one
    key: PyJWK


@dataclass(frozen=True, slots=True)
class KeySet:
    keys: tuple[SigningKey, ...]

    def candidates(self, kid: str | None, alg: str) -> list[SigningKey]:
        """The keys that may have signed a token with this header.

        With a `kid`, only the key of that id. Without one (allowed by JWS, used by few issuers),
        every key whose type fits the algorithm.
        """
        kty = "EC" if alg.startswith("ES") else "RSA"
        fitting = [k for k in self.keys if k.kty == kty and k.alg in (None, alg)]
        if kid is not None:
            return [k for k in fitting if k.kid == kid]
        return fitting

    def has_kid(self, kid: str) -> bool:
        return any(k.kid == kid for k in self.keys)


def parse_jwks(text: str | bytes) -> KeySet:
    """A JWKS document → its public signing keys. Raises JwksError saying what is wrong."""
    if len(text) > MAX_JWKS_BYTES:
        raise JwksError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise JwksError("the key set is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError('a JWKS is a JSON object with a "keys" array')
    keys: list[SigningKey] = []
    for index, item in enumerate(document["keys"]):
        if not isinstance(item, dict):
            raise JwksError(f"key {index} is not a JSON object")
        if _PRIVATE_MEMBERS & item.keys():
            raise JwksError(f"key {index} holds private or secret key material; upload public keys")
        if item.get("use", "sig") != "sig" or item.get("kty") not in _KEY_TYPES:
            continue  # encryption keys and key types no allowed algorithm uses
        alg = item.get("alg")
        if alg is not None and alg not in ALGORITHMS:
            continue
        kid = item.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise JwksError(f"key {index} has a kid that is not a string")
        try:
            key = PyJWK(item, alg or ("ES256" if item["kty"] == "EC" else "RS256"))
        except (PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise JwksError(
                f"key {index} is not a usable {item['kty']} public key ({exc})"
            ) from None
        keys.append(SigningKey(kid, str(item["kty"]), alg, key))
    if not keys:
        raise JwksError("the key set has no RSA or EC signing key")
    return KeySet(tuple(keys))


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    bundle = os.environ.get(CA_BUNDLE_ENV)
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


Getter = Callable[[str], httpx.Response]


class JwksFetcher:
    """Fetches and caches issuers' key sets; one per server process, shared by all requests."""

    def __init__(self, get: Getter | None = None, clock: Callable[[], float] = time.monotonic):
        self._get = get or self._default_get
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[KeySet, float]] = {}
        self._client: httpx.Client | None = None

    def _default_get(self, url: str) -> httpx.Response:
        if self._client is None:
            self._client = httpx.Client(
                verify=_tls_context(),
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
                trust_env=False,
                headers={"Accept": "application/json"},
            )
        return self._client.get(url)

    def key_set(self, issuer: str, *, wanted_kid: str | None = None) -> KeySet:
        """The issuer's keys, from the cache when fresh and holding `wanted_kid`."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(issuer)
        if cached is not None:
            keys, fetched_at = cached
            fresh = now - fetched_at < CACHE_SECONDS
            rotated = wanted_kid is not None and not keys.has_kid(wanted_kid)
            if fresh and not (rotated and now - fetched_at >= REFRESH_INTERVAL_SECONDS):
                return keys
        keys = self._fetch(issuer)
        with self._lock:
            self._cache[issuer] = (keys, now)
        return keys

    def _fetch(self, issuer: str) -> KeySet:
        discovery = self._json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if not isinstance(discovery, Mapping) or discovery.get("issuer") != issuer:
            raise invalid(_UNRETRIEVABLE)
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith("https://"):
            raise invalid(_UNRETRIEVABLE)
        response = self._request(jwks_uri)
        try:
            return parse_jwks(response.content)
        except JwksError:
            raise invalid(_UNRETRIEVABLE) from None

    def _request(self, url: str) -> httpx.Response:
        try:
            response = self._get(url)
        except httpx.HTTPError:
            raise FederationError(
                IDP_COMMUNICATION_ERROR,
                "The identity provider could not be reached to fetch its signing keys.",
            ) from None
        if response.status_code >= 500:
            raise FederationError(
                IDP_COMMUNICATION_ERROR,
                f"The identity provider answered HTTP {response.status_code} when asked for its "
                "signing keys.",
            )
        if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
            raise invalid(_UNRETRIEVABLE)
        return response

    def _json(self, url: str) -> Any:
        try:
            return json.loads(self._request(url).content)
        except ValueError:
            raise invalid(_UNRETRIEVABLE) from None
