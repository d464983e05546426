"""AWS Signature Version 4: read a request's signature, then verify it against a secret key.

Two steps so the server can look the access key up in between::

    signed = read_signature(method, query_string, headers)      # no secret needed
    secret = lookup(signed.access_key_id)                         # InvalidClientTokenId if unknown
    verify_signature(signed, method=..., path=..., query_string=..., headers=..., body=...,
                     secret_access_key=secret, now=datetime.now(UTC))

The canonical request is built the way botocore's `SigV4Auth` builds it (the SDK is the reference
for what clients really sign), which is also the documented algorithm ("Create a signed AWS API
request", IAM User Guide):

- URI: dot segments and empty segments removed, then every byte but unreserved characters and
  `/` percent-encoded once more; the path on the wire is already encoded, so reserved characters
  end up encoded twice. S3 alone signs the path as sent.
- Query: each name and value decoded, `+` as a space (botocore's `urlencode` sends spaces as `+`;
  the protocol layer must decode form style too, as `urllib.parse.parse_qsl` does, so that what
  is verified is what is executed: `%2B` and `+` never mean the same thing to both), then
  re-encoded with uppercase hex and only `A-Za-z0-9-_.~` left bare; pairs sorted by name, then
  value. A presigned request's `X-Amz-Signature` is left out.
- Headers: the names in SignedHeaders, in their order, each value with runs of whitespace folded
  to one space and the ends trimmed. Callers pass lower-case names and join repeated headers
  with `,` (what botocore signs for a repeated header).
- Payload: SHA-256 of the body. `x-amz-content-sha256: UNSIGNED-PAYLOAD` is honoured only when
  the caller allows it (the body is then not covered by the signature); any other value of that
  header is ignored, so a body that does not match a declared hash fails as a mismatch.

Errors carry AWS's codes and wording (see `SignatureError`). Nothing here logs, and no message
contains a secret or a derived key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "ALGORITHM",
    "MAX_PRESIGNED_EXPIRES",
    "UNSIGNED_PAYLOAD",
    "SignatureError",
    "SignedRequest",
    "check_scope",
    "read_signature",
    "signing_key",
    "valid_until",
    "verify_signature",
]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# A signing key is scoped to one day and AWS honours it for seven, hence the SigV4 maximum.
MAX_PRESIGNED_EXPIRES = 604800

_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_SCOPE_DATE = re.compile(r"[0-9]{8}")
_EXPIRES = re.compile(r"[0-9]+")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
# Other AWS schemes a client may send; each gets AWS's "not supported" answer, not a parse error.
_OTHER_AWS_SCHEMES = frozenset({"AWS", "AWS3", "AWS3-HTTPS", "AWS4-ECDSA-P256-SHA256"})

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_UNSUPPORTED = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)


class SignatureError(Exception):
    """A request whose signature cannot be accepted; `code` is the AWS error code.

    Codes used: `MissingAuthenticationToken` (no signature at all), `IncompleteSignature`
    (malformed or unsupported), `SignatureDoesNotMatch` (wrong signature, clock skew, scope),
    `AccessDenied` (a presigned URL past its X-Amz-Expires). JSON-protocol services name
    `SignatureDoesNotMatch` `InvalidSignatureException`; that renaming belongs to the wire layer.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a request claims about its signature, read before any key is looked up."""

    access_key_id: str
    region: str
    service: str
    timestamp: datetime
    signed_headers: tuple[str, ...]
    signature: str
    security_token: str | None
    presigned: bool
    expires: int | None


def _incomplete(message: str) -> SignatureError:
    return SignatureError("IncompleteSignature", message)


def _mismatch(message: str = _MISMATCH) -> SignatureError:
    return SignatureError("SignatureDoesNotMatch", message)


# --- reading -------------------------------------------------------------------------------


def read_signature(method: str, query_string: str, headers: Mapping[str, str]) -> SignedRequest:
    """Parse the signature of a request from its Authorization header or presigned query.

    `headers` has lower-case names; `query_string` is raw. Checks form only, plus that the
    credential scope's date is the request date's (both are public, so no key is needed).
    """
    del method  # part of the documented signature; the method only matters when verifying
    authorization = headers.get("authorization", "").strip()
    params = _auth_params(query_string) if query_string else {}
    presigned = any(
        name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
    )
    if authorization and presigned:
        raise _incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified"
        )
    if authorization:
        return _read_header(authorization, headers)
    if presigned:
        return _read_query(params, headers)
    if "AWSAccessKeyId" in params:  # Signature Version 2 in the query string
        raise _incomplete(_UNSUPPORTED)
    raise SignatureError("MissingAuthenticationToken", "Request is missing Authentication Token")


_QUERY_AUTH_NAMES = frozenset(
    {
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
        "AWSAccessKeyId",
    }
)


def _auth_params(query_string: str) -> dict[str, str]:
    """The query's authentication parameters, decoded; a repeated one is malformed."""
    found: dict[str, str] = {}
    for part in query_string.split("&"):
        raw_name, _, raw_value = part.partition("=")
        name = raw_name
        if "%" in name or "+" in name:  # decode only names that need it: values stay untouched
            name = _decode(raw_name).decode("utf-8", "replace")
        if name not in _QUERY_AUTH_NAMES:
            continue
        if name in found:
            raise _incomplete(f"Duplicate query-string parameter '{name}'.")
        found[name] = _decode(raw_value).decode("utf-8", "replace")
    return found


def _read_header(authorization: str, headers: Mapping[str, str]) -> SignedRequest:
    scheme, _, rest = authorization.partition(" ")
    if scheme in _OTHER_AWS_SCHEMES:
        raise _incomplete(_UNSUPPORTED)
    fields: dict[str, str] = {}
    if scheme == ALGORITHM:
        for part in rest.split(","):
            item = part.strip()
            if not item:
                continue
            key, eq, value = item.partition("=")
            if not eq:
                raise _incomplete(
                    f"'{item}' not a valid key=value pair (missing equal-sign) in "
                    f"Authorization header: '{authorization}'."
                )
            fields[key.strip()] = value.strip()
    # AWS lists every missing part at once and echoes the header (e.g. for a Bearer token).
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    amz_date = headers.get("x-amz-date")
    http_date = headers.get("date")
    if amz_date is None and http_date is None:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise _incomplete(" ".join(missing) + f" Authorization={authorization}")
    # X-Amz-Date overrides Date when both are present (AWS: "Handling dates in Signature V4").
    timestamp = _parse_amz_date(amz_date) if amz_date is not None else _parse_http_date(http_date)
    access_key_id, region, service = _parse_credential(fields["Credential"], timestamp)
    return SignedRequest(
        access_key_id=access_key_id,
        region=region,
        service=service,
        timestamp=timestamp,
        signed_headers=_split_signed_headers(fields["SignedHeaders"]),
        signature=fields["Signature"],
        security_token=headers.get("x-amz-security-token"),
        presigned=False,
        expires=None,
    )


def _read_query(params: Mapping[str, str], headers: Mapping[str, str]) -> SignedRequest:
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date"):
        if name not in params:
            raise _incomplete(
                f"AWS query-string parameters must include '{name}'. "
                "Re-examine the query-string parameters."
            )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete(_UNSUPPORTED)
    if "X-Amz-SignedHeaders" not in params:
        raise _incomplete(
            "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
            "Re-examine the query-string parameters."
        )
    expires: int | None = None
    if "X-Amz-Expires" in params:
        expires = _parse_expires(params["X-Amz-Expires"])
    timestamp = _parse_amz_date(params["X-Amz-Date"])
    access_key_id, region, service = _parse_credential(params["X-Amz-Credential"], timestamp)
    token = params.get("X-Amz-Security-Token", headers.get("x-amz-security-token"))
    return SignedRequest(
        access_key_id=access_key_id,
        region=region,
        service=service,
        timestamp=timestamp,
        signed_headers=_split_signed_headers(params["X-Amz-SignedHeaders"]),
        signature=params["X-Amz-Signature"],
        security_token=token,
        presigned=True,
        expires=expires,
    )


def _parse_expires(text: str) -> int:
    # S3's wording: the only service that documents X-Amz-Expires errors.
    if text.startswith("-") and _EXPIRES.fullmatch(text[1:]):
        raise _incomplete("X-Amz-Expires must be non-negative")
    if not _EXPIRES.fullmatch(text):
        raise _incomplete("X-Amz-Expires should be a number")
    expires = int(text) if len(text) <= 7 else MAX_PRESIGNED_EXPIRES + 1
    if expires > MAX_PRESIGNED_EXPIRES:
        raise _incomplete(
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRES}"
        )
    return expires


def _split_signed_headers(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.split(";") if name)


def _parse_amz_date(text: str) -> datetime:
    if _AMZ_DATE.fullmatch(text):
        try:
            # By hand: strptime costs more than the rest of reading a signature.
            return datetime(
                int(text[0:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[9:11]),
                int(text[11:13]),
                int(text[13:15]),
                tzinfo=UTC,
            )
        except ValueError:
            pass  # e.g. month 13: same answer as a wrong shape
    raise _incomplete(
        f"Date must be in ISO-8601 'basic format'. Got '{text}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def _parse_http_date(text: str | None) -> datetime:
    try:
        parsed = parsedate_to_datetime(text or "")
        # botocore sends "-0000", which email.utils reads as a naive time; it is UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError):
        raise _incomplete(
            f"Date must be in ISO-8601 'basic format'. Got '{text}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        ) from None


def _parse_credential(credential: str, timestamp: datetime) -> tuple[str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    access_key_id, date, region, service, terminator = parts
    if terminator != "aws4_request":
        raise _mismatch(
            f"Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'."
        )
    if not access_key_id or not region or not service or not _SCOPE_DATE.fullmatch(date):
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    amz_date = _fmt(timestamp)
    if date != amz_date[:8]:
        # The scope date is what the signing key is derived from; AWS refuses any other day.
        raise _mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    return access_key_id, region, service


def check_scope(
    signed: SignedRequest, *, service: str, regions: Collection[str] | None = None
) -> None:
    """Refuse a credential scoped to another service or to a region this endpoint does not serve."""
    if signed.service != service:
        raise _mismatch(f"Credential should be scoped to correct service: '{service}'.")
    if regions is not None and signed.region not in regions:
        raise _mismatch("Credential should be scoped to a valid region.")


# --- verifying -----------------------------------------------------------------------------


@lru_cache(maxsize=256)
def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning for one secret, day, region and service (cached: a server sees the same few)."""
    k_date = _hmac(("AWS4" + secret_access_key).encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def verify_signature(
    signed: SignedRequest,
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_access_key: str,
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
    allow_unsigned_payload: bool = False,
    presigned_max_age: timedelta = timedelta(seconds=MAX_PRESIGNED_EXPIRES),
    payload_hash: str | None = None,
) -> None:
    """Raise `SignatureError` unless `signed` is a valid signature of this request.

    `path` and `query_string` are raw, as sent (e.g. the ASGI scope's `raw_path` and
    `query_string`, decoded as UTF-8 with `surrogateescape`); header values are Latin-1 decoded.
    `now` must be timezone-aware.

    Header-signed requests must be dated within `max_skew` of `now`. Presigned ones must not be
    dated later than `now + max_skew`, and are good until X-Amz-Expires seconds after their date
    (until `max_skew` after it if they have none), but never longer than `presigned_max_age`:
    AWS honours X-Amz-Expires only for S3 and keeps other services to about 15 minutes, so IAM
    and STS endpoints wanting AWS's behaviour pass `presigned_max_age=timedelta(minutes=15)`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if "host" in headers and "host" not in signed.signed_headers:
        raise _incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    _check_time(signed, now.astimezone(UTC), max_skew, presigned_max_age)

    canonical_request = _canonical_request(
        signed,
        method=method,
        path=path,
        query_string=query_string,
        headers=headers,
        body=body,
        allow_unsigned_payload=allow_unsigned_payload,
        payload_hash=payload_hash,
    )
    amz_date = _fmt(signed.timestamp)
    date = amz_date[:8]
    string_to_sign = "\n".join(
        (
            ALGORITHM,
            amz_date,
            f"{date}/{signed.region}/{signed.service}/aws4_request",
            hashlib.sha256(_utf8(canonical_request)).hexdigest(),
        )
    )
    key = signing_key(secret_access_key, date, signed.region, signed.service)
    expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    # Bytes, not str: compare_digest refuses non-ASCII str, and the claimed signature is input.
    if not hmac.compare_digest(expected.encode("ascii"), _utf8(signed.signature)):
        raise _mismatch()


def _canonical_request(
    signed: SignedRequest,
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    allow_unsigned_payload: bool,
    payload_hash: str | None,
) -> str:
    canonical_headers = []
    for name in signed.signed_headers:
        value = headers.get(name)
        if value is None:  # claimed signed but absent: never read as an empty value
            raise _mismatch()
        canonical_headers.append(f"{name}:{' '.join(value.split())}\n")

    if signed.presigned and signed.service == "s3":
        payload_hash = UNSIGNED_PAYLOAD  # S3 presigned URLs never cover the body
    elif allow_unsigned_payload and headers.get("x-amz-content-sha256") == UNSIGNED_PAYLOAD:
        payload_hash = UNSIGNED_PAYLOAD
    elif payload_hash is None:
        payload_hash = hashlib.sha256(body).hexdigest()

    return "\n".join(
        (
            method.upper(),
            (path or "/") if signed.service == "s3" else _canonical_uri(path),
            _canonical_query(query_string, drop_signature=signed.presigned),
            "".join(canonical_headers),
            ";".join(signed.signed_headers),
            payload_hash,
        )
    )


def valid_until(
    signed: SignedRequest,
    max_skew: timedelta = timedelta(minutes=15),
    presigned_max_age: timedelta = timedelta(seconds=MAX_PRESIGNED_EXPIRES),
) -> datetime:
    """The last moment `verify_signature` (same limits) accepts this signature: a verified
    request can be remembered as verified until then, and no longer."""
    if not signed.presigned:
        return signed.timestamp + max_skew
    if signed.expires is None:
        return signed.timestamp + min(max_skew, presigned_max_age)
    return signed.timestamp + min(timedelta(seconds=signed.expires), presigned_max_age)


def _check_time(
    signed: SignedRequest, now: datetime, max_skew: timedelta, presigned_max_age: timedelta
) -> None:
    now = now.replace(microsecond=0)
    stamp = signed.timestamp
    if stamp > now + max_skew:
        raise _mismatch(
            f"Signature not yet current: {_fmt(stamp)} is still later than "
            f"{_fmt(now + max_skew)} ({_fmt(now)} + {_minutes(max_skew)} min.)"
        )
    if not signed.presigned:
        lifetime = max_skew
    elif signed.expires is None:
        lifetime = min(max_skew, presigned_max_age)
    else:
        requested = timedelta(seconds=signed.expires)
        if requested <= presigned_max_age and stamp + requested < now:
            # The URL's own expiry passed: S3's answer, the one AWS documents for this case.
            raise SignatureError("AccessDenied", "Request has expired")
        lifetime = min(requested, presigned_max_age)
    if stamp + lifetime < now:
        raise _mismatch(
            f"Signature expired: {_fmt(stamp)} is now earlier than {_fmt(now - lifetime)} "
            f"({_fmt(now)} - {_minutes(lifetime)} min.)"
        )


def _fmt(moment: datetime) -> str:
    """ISO 8601 basic format, `20260101T000000Z` (an f-string: strftime is several times slower)."""
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


def _minutes(span: timedelta) -> str:
    return f"{span.total_seconds() / 60:g}"


# --- canonical forms -----------------------------------------------------------------------


def _canonical_uri(path: str) -> str:
    if path == "/":
        return path
    normalized = _remove_dot_segments(path) if path else "/"
    return quote(_utf8(normalized), safe="/~")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, plus empty segments dropped: botocore's normalize_url_path.
    output: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last


def _canonical_query(query_string: str, *, drop_signature: bool) -> str:
    if not query_string:
        return ""
    pairs = []
    for part in query_string.split("&"):
        raw_name, _, raw_value = part.partition("=")
        name = _reencode(raw_name)
        if drop_signature and name == "X-Amz-Signature":
            continue
        pairs.append((name, _reencode(raw_value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def _decode(component: str) -> bytes:
    return unquote_to_bytes(_utf8(component.replace("+", " ")))


def _reencode(component: str) -> str:
    if _UNRESERVED.fullmatch(component):  # the common case needs no round trip
        return component
    return quote(_decode(component), safe="~")


def _utf8(text: str) -> bytes:
    """UTF-8 that never raises: raw bytes smuggled in as surrogates go back to those bytes."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
