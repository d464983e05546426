"""Requests signed by botocore's own signers, as a server receives them.

botocore stamps requests with `get_current_datetime()`; patching it signs at a chosen instant.
The Host header is not in a prepared request (the HTTP client adds it from the URL), so it is
added here the way urllib3 sends it: the URL's host, with the port unless it is the default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from stockade.auth import SignedRequest, read_signature, verify_signature

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TEMP_ACCESS_KEY = "ASIAIOSFODNN7EXAMPLE"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN+/="
T0 = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Wire:
    """One request as the server sees it: raw path and query, lower-case header names."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes = b""

    def with_header(self, name: str, value: str | None) -> Wire:
        headers = dict(self.headers)
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
        return replace(self, headers=headers)


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def wire_from_prepared(prepared: Any) -> Wire:
    parts = urlsplit(prepared.url)
    headers = {name.lower(): _text(value) for name, value in prepared.headers.items()}
    headers.setdefault("host", _host(prepared.url))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    return Wire(prepared.method, parts.path or "/", parts.query, headers, body)


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def sign(
    method: str,
    url: str,
    *,
    body: bytes | Mapping[str, str] = b"",
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    service: str = "iam",
    region: str = "us-east-1",
    at: datetime = T0,
    token: str | None = None,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    context: Mapping[str, Any] | None = None,
    signer: type[SigV4Auth] = SigV4Auth,
) -> Wire:
    """Sign with the Authorization header, as every SDK call does."""
    request = AWSRequest(
        method=method, url=url, data=body, headers=dict(headers or {}), params=params or {}
    )
    request.context.update(context or {})
    credentials = Credentials(access_key, secret_key, token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        signer(credentials, service, region).add_auth(request)
    return wire_from_prepared(request.prepare())


def presign(
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    service: str = "sts",
    region: str = "us-east-1",
    at: datetime = T0,
    expires: int = 3600,
    token: str | None = None,
    signer: type[SigV4QueryAuth] = SigV4QueryAuth,
) -> Wire:
    """A presigned URL, as `generate_presigned_url` makes one."""
    request = AWSRequest(method=method, url=url, params=params or {})
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        signer(credentials, service, region, expires=expires).add_auth(request)
    return wire_from_prepared(request.prepare())


def check(
    wire: Wire,
    *,
    now: datetime = T0,
    secret: str = SECRET_KEY,
    max_skew: timedelta = timedelta(minutes=15),
    **options: Any,
) -> SignedRequest:
    """read_signature then verify_signature, exactly as the server calls them."""
    signed = read_signature(wire.method, wire.query, wire.headers)
    verify_signature(
        signed,
        method=wire.method,
        path=wire.path,
        query_string=wire.query,
        headers=wire.headers,
        body=wire.body,
        secret_access_key=secret,
        now=now,
        max_skew=max_skew,
        **options,
    )
    return signed


__all__ = [
    "ACCESS_KEY",
    "SECRET_KEY",
    "SESSION_TOKEN",
    "T0",
    "TEMP_ACCESS_KEY",
    "S3SigV4Auth",
    "S3SigV4QueryAuth",
    "Wire",
    "check",
    "presign",
    "sign",
    "wire_from_prepared",
]
