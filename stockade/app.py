"""The ASGI application: one endpoint that speaks the AWS Query protocol for IAM and STS.

A request walks: form/query parameters → SigV4 (read, key lookup, verify) → the operation's
input parsed by botocore's model → the caller's identity → the handler, inside one transaction,
which authorizes with the policy engine → the response serialised by the model. Every failure
leaves as an AWS error document; nothing a client sends produces a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from stockade.api import callers
from stockade.api.context import Call, Caller, OpenCall, Services
from stockade.api.global_keys import request_keys
from stockade.api.handlers import OPEN_OPERATIONS, OPERATIONS
from stockade.api.registry import OpenOperation, Operation
from stockade.api.stockade_api import StockadeApi, is_stockade_call
from stockade.api.unserved import unserved
from stockade.auth.federation import FederationError
from stockade.auth.identifiers import new_request_id
from stockade.auth.sigv4 import SignatureError, SignedRequest, read_signature
from stockade.identity import keys, mirror
from stockade.identity.errors import IdentityError
from stockade.protocol import AWSError, ServiceProtocol
from stockade.protocol.foreign import ForeignRequest, WireReply, foreign_error
from stockade.store import NeedsDatabase, Store
from stockade.store.database import CONNECTIONS

log = logging.getLogger("stockade.requests")

_XML = "text/xml"
_SERVICES = ("iam", "sts")


@dataclass(frozen=True, slots=True)
class Incoming:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    client_ip: str
    secure: bool


@dataclass(frozen=True, slots=True)
class Pending:
    """A request parsed as far as it can be without I/O."""

    incoming: Incoming
    params: dict[str, str]
    action: str | None
    service: str  # as the signature's credential scope names it (iam, sts, or one not served)
    protocol: ServiceProtocol
    operation: Operation | None
    signed: SignedRequest | SignatureError  # the signature as read, or why it could not be
    # An operation AWS serves unsigned (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), when the
    # request makes no attempt at a signature: it runs without a caller.
    open_operation: OpenOperation | None = None


class Gateway:
    """Turns one HTTP request into one AWS operation and its answer."""

    def __init__(self, store: Store, services: Services) -> None:
        self.store = store
        self.services = services
        self.protocols = {name: ServiceProtocol.load(name) for name in _SERVICES}

    def prepare(self, incoming: Incoming) -> Pending:
        """What the request asks for, read without I/O: enough to decide where it runs."""
        query = incoming.query_string
        params = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        if incoming.method == "POST" and incoming.body:
            params.update(
                parse_qsl(incoming.body.decode("utf-8", "replace"), keep_blank_values=True)
            )
        action = params.pop("Action", None)
        params.pop("Version", None)
        for key in [k for k in params if k.startswith("X-Amz-")]:
            del params[key]
        try:
            signed = read_signature(incoming.method, incoming.query_string, incoming.headers)
        except SignatureError as exc:
            opened = OPEN_OPERATIONS["sts"].get(action or "")
            if opened is not None and not _carries_signature(incoming):
                # Its signed twin, for runs_inline to read the writes flag from.
                twin = OPERATIONS["sts"][opened.name]
                sts = self.protocols["sts"]
                return Pending(incoming, params, action, "sts", sts, twin, exc, opened)
            return Pending(incoming, params, action, "iam", self.protocols["iam"], None, exc)
        service = signed.service
        if service not in self.protocols:  # refused by run_unserved, in that service's shape
            return Pending(incoming, params, action, service, self.protocols["iam"], None, signed)
        operation = OPERATIONS[service].get(action) if action else None
        protocol = self.protocols[service]
        return Pending(incoming, params, action, service, protocol, operation, signed)

    def serves(self, pending: Pending) -> bool:
        """Whether the request is for IAM or STS (or unsigned, answered as IAM)."""
        return pending.service in self.protocols

    def runs_inline(self, pending: Pending) -> bool:
        """Reads on SQLite are a few microseconds of local I/O: cheaper run on the event loop than
        handed to a worker thread (the hop alone costs more than a GetUser's queries). Writes, and
        anything on a networked database, go to the threadpool."""
        operation = pending.operation
        return self.store.is_sqlite and (operation is None or not operation.writes)

    def answers_from_memory(self, pending: Pending) -> bool:
        """On a networked database, whether the request may well be answered from what this
        process holds: an operation whose lookups all go through per-generation caches, signed
        with a key held under its account's current generation (known from PostgreSQL's
        notices) whose use needs no recording. Such a request runs on the event loop, with no
        connection; should it reach for one after all (NeedsDatabase), it runs again in a worker."""
        operation, signed = pending.operation, pending.signed
        return (
            operation is not None
            and operation.from_memory
            and not operation.writes
            and not self.store.is_sqlite
            and isinstance(signed, SignedRequest)
            and self.services.key_owners.answers(signed.access_key_id, datetime.now(UTC))
        )

    def handle(self, incoming: Incoming) -> tuple[int, bytes]:
        return self.run(self.prepare(incoming))

    def run(self, pending: Pending, memory_only: bool = False) -> tuple[int, bytes]:
        """The request's answer. `memory_only`: with no connection, raising NeedsDatabase at
        the first statement (see answers_from_memory)."""
        request_id = new_request_id()
        if pending.open_operation is not None:
            return self._run_open(pending.open_operation, pending, request_id)
        incoming, params, action, protocol = (
            pending.incoming,
            pending.params,
            pending.action,
            pending.protocol,
        )
        started = time.perf_counter()
        try:
            signed = pending.signed
            if isinstance(signed, SignatureError):
                raise signed
            service = pending.service
            if not action:
                raise AWSError("MissingAction", "Missing Action", 400)
            if action not in protocol.operation_names():
                raise AWSError(
                    "InvalidAction",
                    f"Could not find operation {action} for version {protocol.api_version}",
                    400,
                )
            operation = pending.operation
            if operation is None:
                raise AWSError("NotImplemented", f"Stockade does not offer {action}.", 501)
            now = datetime.now(UTC)
            if memory_only:
                session = self.store.memory_only()
            else:
                session = self.store.write() if operation.writes else self.store.read()
            with session as tx:
                credential = callers.authenticate(tx, self.services, signed, incoming, now)
                if (
                    memory_only
                    and credential.key
                    and keys.use_due(credential.key.last_used_at, now)
                ):
                    raise NeedsDatabase("the key's use is due to be recorded")
                # Who is asking comes before what is asked: a bad signature hides the rest.
                caller = callers.load_caller(tx, self.services, credential)
                callers.check_session_scope(caller, service, action)
                _refuse_nul(params)
                parsed = protocol.parse_request(action, params)
                if (
                    operation.writes
                    and action not in _MIRROR_WRITES
                    and mirror.is_mirror(tx, credential.account_id)
                ):
                    raise _read_only(credential.account_id)
                call = Call(
                    tx,
                    self.services,
                    caller,
                    action,
                    parsed,
                    now,
                    self._context(caller, incoming, now),
                    reads_only=not operation.writes,
                )
                result = operation.handler(call)
            if credential.key is not None:
                self._record_use(credential.key, service, now)
            body = protocol.serialize_response(action, result, request_id)
            status = 200
        except Exception as exc:  # every failure leaves as an AWS error document
            status, body = _error_reply(protocol, exc, request_id, action)
        log.info(
            "%s %s %s %.1fms", action, status, request_id, (time.perf_counter() - started) * 1000
        )
        return status, body

    def run_unserved(self, pending: Pending) -> WireReply:
        """A request signed for another service: authenticated as any, then refused in the
        shape that service's SDK reads (see stockade.api.unserved)."""
        request_id = new_request_id()
        incoming, signed = pending.incoming, pending.signed
        request = ForeignRequest.read(pending.service, incoming.headers, pending.action)
        try:
            if isinstance(signed, SignatureError):
                raise signed
            with self.store.read() as tx:
                callers.authenticate(tx, self.services, signed, incoming, datetime.now(UTC))
            error = unserved(pending.service, request.operation)
        except SignatureError as exc:
            error = AWSError(exc.code, exc.message)
        except AWSError as exc:
            error = exc
        reply = foreign_error(request, error, request_id)
        log.info("%s:%s %s %s", pending.service, request.operation, reply.status, request_id)
        return reply

    def _run_open(
        self, operation: OpenOperation, pending: Pending, request_id: str
    ) -> tuple[int, bytes]:
        """An unsigned request to an operation AWS serves without credentials (STS's
        AssumeRoleWithWebIdentity and AssumeRoleWithSAML): no caller, no key lookup; the
        handler verifies the token or assertion the request carries."""
        protocol = pending.protocol
        action = operation.name
        started = time.perf_counter()
        try:
            _refuse_nul(pending.params)
            parsed = protocol.parse_request(action, pending.params)
            now = datetime.now(UTC)
            session = self.store.write() if operation.writes else self.store.read()
            with session as tx:
                context = _request_keys(pending.incoming, now)
                result = operation.handler(
                    OpenCall(tx, self.services, action, parsed, now, context)
                )
            status, body = 200, protocol.serialize_response(action, result, request_id)
        except Exception as exc:  # every failure leaves as an AWS error document
            status, body = _error_reply(protocol, exc, request_id, action)
        log.info(
            "%s %s %s %.1fms", action, status, request_id, (time.perf_counter() - started) * 1000
        )
        return status, body

    @staticmethod
    def _context(caller: Caller, incoming: Incoming, now: datetime) -> dict[str, Any]:
        """The global condition keys of this request (policy-semantics reference, §1.6)."""
        return {**_request_keys(incoming, now), **callers.principal_keys(caller, now)}

    def _record_use(self, owner: keys.KeyOwner, service: str, now: datetime) -> None:
        if not keys.use_due(owner.last_used_at, now):
            return
        with self.store.write() as tx:
            keys.record_use(tx, owner.access_key_id, service, "us-east-1", now, owner.last_used_at)
        self.services.key_owners.used(owner.access_key_id, now)


# Writes that change no IAM state: a mirror's credential report is made from what was imported.
_MIRROR_WRITES = frozenset({"GenerateCredentialReport"})


def _read_only(account_id: str) -> AWSError:
    """Every change to an imported mirror is refused, in IAM's words for an entity nobody may
    modify (400, like a service-linked role's); the mirror changes only by a new import."""
    return AWSError(
        "UnmodifiableEntity",
        f"Account {account_id} is a read-only mirror of an AWS account, imported with "
        "`stockade import authorization-details`; change it in AWS and import it again.",
        400,
    )


def _request_keys(incoming: Incoming, now: datetime) -> dict[str, Any]:
    """The global condition keys the request itself sets, whoever makes it."""
    return request_keys(
        now=now,
        secure=incoming.secure,
        source_ip=incoming.client_ip,
        user_agent=incoming.headers.get("user-agent", ""),
        region="us-east-1",
    )


_SIGNATURE_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")


def _carries_signature(incoming: Incoming) -> bool:
    """Whether the request makes any attempt at SigV4 (header or presigned query): such a
    request is verified as every other, even for an operation that needs no signature."""
    if "authorization" in incoming.headers:
        return True
    query = dict(parse_qsl(incoming.query_string, keep_blank_values=True))
    return any(name in query for name in _SIGNATURE_PARAMS)


def _error_reply(
    protocol: ServiceProtocol, exc: Exception, request_id: str, action: str | None
) -> tuple[int, bytes]:
    """The status and AWS error document for what stopped a request. Anything unforeseen is a
    500 InternalFailure whose traceback goes to the log only; call from an `except` block."""
    if isinstance(exc, AWSError):
        error = exc
    elif isinstance(exc, SignatureError | IdentityError | FederationError):
        error = AWSError(exc.code, exc.message)
    else:
        log.exception("internal failure in %s (request %s)", action, request_id)
        error = AWSError(
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
            500,
            sender=False,
        )
    return protocol.serialize_error(error, request_id, action)


def _refuse_nul(params: dict[str, str]) -> None:
    """No IAM value holds a NUL character, and PostgreSQL's text cannot store one."""
    for name, value in params.items():
        if "\x00" in value:
            location = name[:1].lower() + name[1:]
            raise AWSError(
                "ValidationError",
                f"1 validation error detected: Value at '{location}' failed to satisfy "
                "constraint: Member must not contain NUL characters",
                400,
            )


_MAX_BODY = 1 << 20  # bytes; IAM's largest inputs (policy documents) are a fraction of this
_HEADERS = [(b"content-type", _XML.encode())]


class ApiEndpoint:
    """The AWS Query endpoint at `/`, as a bare ASGI app in front of the Starlette app.

    Every API request takes this path, so it skips Starlette's routing, middleware and
    Request/Response objects (about a quarter of a GetUser's time). Anything else (other paths,
    lifespan) goes on to the Starlette app. The Gateway turns every failure into an AWS error
    document, so nothing here needs Starlette's error middleware.
    """

    def __init__(self, gateway: Gateway, fallback: ASGIApp, stockade_api: StockadeApi) -> None:
        self.gateway = gateway
        self.fallback = fallback
        self.stockade_api = stockade_api
        # Writes and networked-database requests run here. A plain executor: anyio's
        # to_thread (Starlette's run_in_threadpool) adds cancel scopes and a limiter per call.
        self._workers = ThreadPoolExecutor(max_workers=CONNECTIONS, thread_name_prefix="stockade")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/" or scope["method"] not in _METHODS:
            await self.fallback(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > _MAX_BODY:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        client = scope.get("client")
        incoming = Incoming(
            method=scope["method"],
            path=(scope.get("raw_path") or scope["path"].encode()).decode("latin-1"),
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=b"".join(chunks),
            client_ip=client[0] if client else "",
            secure=scope.get("scheme") == "https",
        )
        if is_stockade_call(incoming.headers):  # Stockade's own JSON operations (Authorize)
            await self._stockade_operation(incoming, send)
            return
        gateway = self.gateway
        pending = gateway.prepare(incoming)
        if not gateway.serves(pending):
            await self._unserved(pending, send)
            return
        if gateway.runs_inline(pending):
            status, payload = gateway.run(pending)
        elif gateway.answers_from_memory(pending):
            try:
                status, payload = gateway.run(pending, memory_only=True)
            except NeedsDatabase:  # a cache was cold after all: nothing was read or written
                status, payload = await self._in_worker(pending)
        else:
            status, payload = await self._in_worker(pending)
        await _respond(send, status, payload)

    async def _in_worker(self, pending: Pending) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers, self.gateway.run, pending)

    async def _stockade_operation(self, incoming: Incoming, send: Send) -> None:
        loop = asyncio.get_running_loop()
        handle = self.stockade_api.handle
        status, payload, headers = await loop.run_in_executor(self._workers, handle, incoming)
        own = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        await _respond(send, status, payload, own)

    async def _unserved(self, pending: Pending, send: Send) -> None:
        """A request signed for a service Stockade does not serve, answered in its shape."""
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(self._workers, self.gateway.run_unserved, pending)
        extra = [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()]
        headers = [(b"content-type", reply.content_type.encode()), *extra]
        await _respond(send, reply.status, reply.body, headers)

    async def _too_large(self, send: Send) -> None:
        error = AWSError("RequestEntityTooLarge", f"Request body exceeds {_MAX_BODY} bytes.", 413)
        protocol = self.gateway.protocols["iam"]
        status, payload = protocol.serialize_error(error, new_request_id(), None)
        await _respond(send, status, payload)


_METHODS = frozenset({"GET", "POST"})


async def _respond(
    send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]] = _HEADERS
) -> None:
    headers = [*headers, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def build_app(store: Store, services: Services) -> ApiEndpoint:
    """The API at `/` in front of a Starlette app for everything else (the console's pages)."""
    return ApiEndpoint(Gateway(store, services), Starlette(routes=[]), StockadeApi(store, services))
