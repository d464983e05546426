"""The AWS JSON 1.1 protocol, as far as Stockade's own operations need it.

A request is `POST /` with `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target:
<Service>.<Operation>`; the body is one JSON object. Errors are `{"__type": ..., "message": ...}`
with the code JSON services use, which differ from the Query protocol's for the same faults
(`SignatureDoesNotMatch` is `InvalidSignatureException` here, `InvalidClientTokenId` is
`UnrecognizedClientException`).
"""

from __future__ import annotations

import json
from typing import Any

from stockade.protocol.errors import AWSError

CONTENT_TYPE = "application/x-amz-json-1.1"

# Query-protocol code → JSON-protocol code, for the faults every service shares.
_JSON_CODES = {
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "ExpiredToken": "ExpiredTokenException",
    "AccessDenied": "AccessDeniedException",
    "ValidationError": "ValidationException",
}

_STATUS = {
    "InvalidSignatureException": 403,
    "IncompleteSignatureException": 400,
    "MissingAuthenticationTokenException": 403,
    "UnrecognizedClientException": 403,
    "ExpiredTokenException": 403,
    "AccessDeniedException": 403,
    "ValidationException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 400,
    "InternalFailure": 500,
}


def json_code(code: str) -> str:
    """The JSON protocol's name for an error code."""
    return _JSON_CODES.get(code, code)


def serialize_json_error(error: AWSError) -> tuple[int, bytes]:
    code = json_code(error.code)
    status = error.status if error.status is not None else _STATUS.get(code, 400)
    return status, json.dumps({"__type": code, "message": error.message}).encode()


def serialize_json(result: dict[str, Any]) -> bytes:
    return json.dumps(result, separators=(",", ":")).encode()


def parse_json_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object; `SerializationException` for anything else."""
    try:
        document = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError):
        raise AWSError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise AWSError("SerializationException", "The request body must be a JSON object.")
    return document
