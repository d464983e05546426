"""The input of `Stockade.Authorize`: a service's client request, forwarded, and the question.

The service sends what it received (method, raw path and query string, headers, and the body or
its SHA-256) so that Stockade can verify the client's SigV4 signature itself: the client's
secret never leaves Stockade. Each fault is a `ValidationException` naming the member, as AWS
JSON services word it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stockade.protocol import AWSError

_ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}:[A-Za-z0-9*?][A-Za-z0-9_*?-]{0,127}")
_SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_METHOD = re.compile(r"[A-Z]{1,16}")
MAX_HEADERS = 200
MAX_CONTEXT_KEYS = 100
MAX_VALUE_LENGTH = 8192
MAX_BODY_BYTES = 512 * 1024  # base64 of it fits the endpoint's 1 MiB; larger: PayloadHash
_MAX_BODY_BASE64 = (MAX_BODY_BYTES + 2) // 3 * 4


@dataclass(frozen=True, slots=True)
class ForwardedRequest:
    """The client's request as the service received it."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ","
    body: bytes
    payload_hash: str | None  # hex SHA-256 of the body, sent instead of the body
    source_ip: str | None
    secure: bool


@dataclass(frozen=True, slots=True)
class AuthorizeInput:
    request: ForwardedRequest
    action: str
    resource: str
    context: dict[str, str | list[str]]
    service: str | None  # the signing name the client's credential scope must name
    explain: bool


def _invalid(member: str, constraint: str) -> AWSError:
    return AWSError(
        "ValidationException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"{constraint}",
        400,
    )


def _string(
    document: Mapping[str, Any],
    name: str,
    member: str,
    *,
    required: bool,
    max_length: int = MAX_VALUE_LENGTH,
) -> str | None:
    value = document.get(name)
    if value is None:
        if required:
            raise _invalid(member, "Member must not be null")
        return None
    if not isinstance(value, str):
        raise _invalid(member, "Member must be a string")
    if len(value) > max_length:
        raise _invalid(member, f"Member must have length less than or equal to {max_length}")
    if "\x00" in value:
        raise _invalid(member, "Member must not contain NUL characters")
    return value


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _invalid("request.headers", "Member must be a map of header name to value")
    if len(value) > MAX_HEADERS:
        raise _invalid("request.headers", f"Map must have at most {MAX_HEADERS} entries")
    headers: dict[str, str] = {}
    for name, item in value.items():
        if not _HEADER_NAME.fullmatch(name):
            raise _invalid("request.headers", f"Header name {name!r} is not a valid HTTP token")
        if not isinstance(item, str) or len(item) > MAX_VALUE_LENGTH or "\x00" in item:
            raise _invalid(f"request.headers.{name}", "Member must be a string of printable text")
        key = name.lower()
        # Two spellings of one name are one repeated header, joined as botocore signs them.
        headers[key] = f"{headers[key]},{item}" if key in headers else item
    return headers


def _forwarded(document: Any) -> ForwardedRequest:
    if not isinstance(document, dict):
        raise _invalid("request", "Member must not be null")
    method = _string(document, "Method", "request.method", required=True)
    assert method is not None
    if not _METHOD.fullmatch(method):
        raise _invalid("request.method", "Member must be an HTTP method in upper case")
    path = _string(document, "Path", "request.path", required=True)
    assert path is not None
    if not path.startswith("/"):
        raise _invalid("request.path", "Member must start with '/'")
    query_string = _string(document, "QueryString", "request.queryString", required=False) or ""
    headers = _headers(document.get("Headers"))
    body = b""
    encoded = _string(document, "Body", "request.body", required=False, max_length=_MAX_BODY_BASE64)
    payload_hash = _string(document, "PayloadHash", "request.payloadHash", required=False)
    if encoded is not None and payload_hash is not None:
        raise _invalid("request.payloadHash", "Give Body or PayloadHash, not both")
    if encoded is not None:
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid("request.body", "Member must be base64-encoded") from None
    if payload_hash is not None and not _HEX_SHA256.fullmatch(payload_hash):
        raise _invalid("request.payloadHash", "Member must be a lower-case hex SHA-256")
    secure = document.get("SecureTransport", False)
    if not isinstance(secure, bool):
        raise _invalid("request.secureTransport", "Member must be a boolean")
    return ForwardedRequest(
        method,
        path,
        query_string,
        headers,
        body,
        payload_hash,
        _string(document, "SourceIp", "request.sourceIp", required=False),
        secure,
    )


def _context(value: Any) -> dict[str, str | list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_CONTEXT_KEYS:
        raise _invalid("context", f"Member must be a map of at most {MAX_CONTEXT_KEYS} keys")
    context: dict[str, str | list[str]] = {}
    for key, item in value.items():
        if key.lower().startswith("aws:"):
            # Global keys come from Stockade (the principal, its tags) or from the forwarded
            # request's own fields; a service cannot vouch for them.
            raise _invalid(f"context.{key}", "Global condition keys (aws:*) cannot be supplied")
        if ":" not in key or len(key) > 256:
            raise _invalid(f"context.{key}", "Member must be a condition key like 'service:Key'")
        if isinstance(item, str) and len(item) <= MAX_VALUE_LENGTH:
            context[key] = item
        elif (
            isinstance(item, list)
            and len(item) <= MAX_CONTEXT_KEYS
            and all(isinstance(v, str) and len(v) <= MAX_VALUE_LENGTH for v in item)
        ):
            context[key] = list(item)
        else:
            raise _invalid(f"context.{key}", "Member must be a string or a list of strings")
    return context


def parse_authorize_input(document: Mapping[str, Any]) -> AuthorizeInput:
    action = _string(document, "Action", "action", required=True)
    assert action is not None
    if not _ACTION.fullmatch(action):
        raise _invalid("action", "Member must be an action like 'service:Operation'")
    resource = _string(document, "Resource", "resource", required=True)
    if not resource:
        raise _invalid("resource", "Member must have length greater than or equal to 1")
    service = _string(document, "Service", "service", required=False)
    if service is not None and not _SERVICE.fullmatch(service):
        raise _invalid("service", "Member must be a signing name like 'invoices'")
    explain = document.get("Explain", True)
    if not isinstance(explain, bool):
        raise _invalid("explain", "Member must be a boolean")
    return AuthorizeInput(
        _forwarded(document.get("Request")),
        action,
        resource,
        _context(document.get("Context")),
        service,
        explain,
    )
