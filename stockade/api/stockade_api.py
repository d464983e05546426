"""Stockade's own operations, beside IAM and STS: AWS JSON 1.1 with `X-Amz-Target: Stockade.*`.

A call walks as an IAM call does: SigV4 (credential scope service `stockade`) → one read
transaction → the caller's credentials → signature → input → the caller's `stockade:<Operation>`
permission, decided by the engine → the operation. Every failure is an AWS JSON error
(`{"__type": ..., "message": ...}`); nothing a client sends produces a traceback.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection

from stockade.api import callers
from stockade.api.authorize import authorize
from stockade.api.context import Call, Services
from stockade.api.forwarded import parse_authorize_input
from stockade.api.global_keys import global_context
from stockade.api.service_authorize import Answer, authorize_forwarded
from stockade.auth.identifiers import new_request_id
from stockade.auth.sigv4 import SignatureError, check_scope, read_signature
from stockade.identity import keys
from stockade.protocol import AWSError
from stockade.protocol.awsjson import (
    CONTENT_TYPE,
    parse_json_body,
    serialize_json,
    serialize_json_error,
)

log = logging.getLogger("stockade.requests")

TARGET_PREFIX = "Stockade."
SIGNING_NAME = "stockade"
_OPERATIONS = frozenset({"Authorize"})


class HttpRequest(callers.SignedHttp, Protocol):
    """The parts of an HTTP request this endpoint reads (the app's `Incoming` has them): what a
    signature covers, and where the request came from."""

    @property
    def client_ip(self) -> str: ...
    @property
    def secure(self) -> bool: ...


class Transactions(Protocol):
    def read(self) -> AbstractContextManager[Connection]: ...
    def write(self) -> AbstractContextManager[Connection]: ...


Reply = tuple[int, bytes, dict[str, str]]


def is_stockade_call(headers: dict[str, str]) -> bool:
    return headers.get("x-amz-target", "").startswith(TARGET_PREFIX)


class StockadeApi:
    """Turns one `Stockade.*` request into its JSON answer."""

    def __init__(self, store: Transactions, services: Services) -> None:
        self.store = store
        self.services = services

    def handle(self, incoming: HttpRequest) -> Reply:
        request_id = new_request_id()
        target = incoming.headers.get("x-amz-target", "")
        operation = target.removeprefix(TARGET_PREFIX)
        started = time.perf_counter()
        try:
            status, body = 200, serialize_json(self._run(incoming, operation))
        except SignatureError as exc:
            status, body = serialize_json_error(AWSError(exc.code, exc.message))
        except AWSError as exc:
            status, body = serialize_json_error(exc)
        except Exception:
            log.exception("internal failure in %s (request %s)", target, request_id)
            status, body = serialize_json_error(
                AWSError("InternalFailure", "The request processing has failed.", 500)
            )
        log.info(
            "%s %s %s %.1fms", target, status, request_id, (time.perf_counter() - started) * 1000
        )
        return status, body, {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}

    def _run(self, incoming: HttpRequest, operation: str) -> dict[str, object]:
        if incoming.method != "POST":
            raise AWSError("UnknownOperationException", "Stockade operations are POST requests.")
        signed = read_signature(incoming.method, incoming.query_string, incoming.headers)
        check_scope(signed, service=SIGNING_NAME)
        if operation not in _OPERATIONS:
            raise AWSError("UnknownOperationException", f"Unknown operation {operation}.")
        now = datetime.now(UTC)
        with self.store.read() as tx:
            credential = callers.authenticate(tx, self.services, signed, incoming, now)
            caller = callers.load_caller(tx, self.services, credential)
            callers.check_session_scope(caller, SIGNING_NAME, "Authorize")
            # Who is asking comes before what is asked: a bad signature hides the rest.
            question = parse_authorize_input(parse_json_body(incoming.body))
            context = global_context(
                caller,
                now=now,
                secure=incoming.secure,
                source_ip=incoming.client_ip,
                user_agent=incoming.headers.get("user-agent", ""),
                region=signed.region,
            )
            call = Call(tx, self.services, caller, operation, {}, now, context)
            # Which services' actions a caller may ask about is for policies to narrow.
            authorize(
                call,
                "stockade:Authorize",
                "*",
                {
                    "stockade:RequestedAction": question.action,
                    "stockade:RequestedService": question.action.split(":", 1)[0],
                },
            )
            answer = authorize_forwarded(tx, self.services, caller, question, now)
        self._record_uses(credential.key, signed.region, answer, now)
        return answer.result

    def _record_uses(
        self, own: keys.KeyOwner | None, region: str, answer: Answer, now: datetime
    ) -> None:
        """Last use of the long-term keys involved (temporary credentials have none)."""
        uses = [] if own is None else [(own, SIGNING_NAME, region)]
        if answer.used is not None:
            uses.append((answer.used, answer.used_service, answer.used_region))
        for key, service, where in uses:
            last = key.last_used_at
            if last is not None and now - last < keys.LAST_USED_GRANULARITY:
                continue
            with self.store.write() as tx:
                keys.record_use(tx, key.access_key_id, service, where, now, last)
