"""Errors for requests signed for a service Stockade does not serve, in the shape its SDK reads.

Tools that audit an account (Prowler, ScoutSuite, …) ask a few other services at start, such as
Organizations or EC2, and carry on when those answer with an error they can parse. An SDK parses
an error by the protocol of the service it called, so the answer takes the shape that request
shows:

- an `X-Amz-Target` header is the JSON protocol (Organizations, KMS, …): a JSON body with
  `__type` and `message`, under the request's own `application/x-amz-json-1.x` content type;
- the `ec2` service speaks its own Query dialect: `<Response><Errors><Error>…</Errors>
  <RequestID>`;
- any other request with an `Action` parameter is the Query protocol: `<ErrorResponse>`;
- anything else is a REST request: a JSON body with the code in the `x-amzn-ErrorType` header,
  which REST-JSON SDKs read (REST-XML ones still see the status).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from stockade.protocol.errors import DEFAULT_STATUS, AWSError
from stockade.protocol.xml import escape_text

_JSON_PREFIX = "application/x-amz-json-"
_JSON_DEFAULT = "application/x-amz-json-1.1"


@dataclass(frozen=True, slots=True)
class ForeignRequest:
    """What of a request decides the shape of its answer, and the operation it names."""

    service: str  # the credential scope's service, e.g. "organizations"
    target: str | None  # the X-Amz-Target header of a JSON-protocol request
    content_type: str
    action: str | None  # the Query protocol's Action parameter

    @classmethod
    def read(cls, service: str, headers: Mapping[str, str], action: str | None) -> ForeignRequest:
        """From the request's lower-cased headers and its Action parameter, if any."""
        return cls(service, headers.get("x-amz-target"), headers.get("content-type", ""), action)

    @property
    def operation(self) -> str | None:
        """The operation asked for: `DescribeOrganization` of
        `AWSOrganizationsV20161128.DescribeOrganization`, or the Query Action."""
        if self.target is not None:
            return self.target.rpartition(".")[2] or None
        return self.action


@dataclass(frozen=True, slots=True)
class WireReply:
    """An HTTP answer: status, body, its content type and any further headers."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def foreign_error(request: ForeignRequest, error: AWSError, request_id: str) -> WireReply:
    """The error document `request`'s SDK parses, with its HTTP status."""
    status = error.status if error.status is not None else DEFAULT_STATUS.get(error.code, 400)
    ids = {"x-amzn-RequestId": request_id}
    if request.target is not None:
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        asked = request.content_type.split(";", 1)[0].strip()
        kind = asked if asked.startswith(_JSON_PREFIX) else _JSON_DEFAULT
        return WireReply(status, body, kind, ids)
    code, message, rid = (
        escape_text(error.code),
        escape_text(error.message),
        escape_text(request_id),
    )
    if request.service == "ec2":
        document = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
            f"</Errors><RequestID>{rid}</RequestID></Response>"
        )
        return WireReply(status, _xml(document), "text/xml;charset=UTF-8", ids)
    if request.action is not None:
        fault = "Sender" if error.sender and status < 500 else "Receiver"
        document = (
            f"<ErrorResponse><Error><Type>{fault}</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
        )
        return WireReply(status, _xml(document), "text/xml", ids)
    body = json.dumps({"message": error.message}).encode()
    return WireReply(status, body, "application/json", {**ids, "x-amzn-ErrorType": error.code})


def _xml(document: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + document).encode("utf-8")
