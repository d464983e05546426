"""An ASGI middleware (Starlette, FastAPI) that authorizes every request with Stockade.

Each route says what it needs::

    @requires("invoices:GetInvoice", "arn:stockade:invoices:::invoice/{invoice_id}")
    async def get_invoice(request): ...

(`{name}` is filled from the route's path parameters), or the app passes one function, request
→ `Permission`, for every route. A route with neither is refused (403): forgetting to declare a
permission must not open a route. `public` marks the routes that need no signature (health
checks). Refused requests get JSON: 401 when the request is not signed by a valid Stockade key,
403 with Stockade's reason when the signer is not allowed, 503 when Stockade cannot be asked.
An allowed request reaches the app with the verdict in `request.state.stockade` (the principal,
its policy version).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockade.integrations.authorizer import Authorizer
from stockade.integrations.model import ClientRequest, ContextValue, Permission, Verdict

_PERMISSION = "__stockade_permission__"
_PUBLIC = "__stockade_public__"

E = TypeVar("E", bound=Callable[..., Any])
ContextOf = Callable[[Request], Mapping[str, ContextValue]]
PermissionFor = Callable[[Request], Permission | None]


class _Declared:
    def __init__(self, action: str, resource: str, context: ContextOf | None) -> None:
        self.action = action
        self.resource = resource
        self.context = context

    def permission(self, request: Request) -> Permission:
        resource = self.resource.format_map(request.path_params)
        context = self.context(request) if self.context is not None else {}
        return Permission(self.action, resource, context)


def requires(action: str, resource: str, *, context: ContextOf | None = None) -> Callable[[E], E]:
    """Declare an endpoint's permission; `resource` may name path parameters as `{name}`."""

    def mark(endpoint: E) -> E:
        setattr(endpoint, _PERMISSION, _Declared(action, resource, context))
        return endpoint

    return mark


def public(endpoint: E) -> E:
    """An endpoint anyone may call, signed or not."""
    setattr(endpoint, _PUBLIC, True)
    return endpoint


def client_request(scope: Scope, body: bytes) -> ClientRequest:
    """The request as the client sent it, from an ASGI scope (behind a proxy, the proxy must
    pass the Host header and path unchanged: the client signed them)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    client = scope.get("client")
    return ClientRequest(
        method=scope["method"],
        path=raw_path.decode("utf-8", "surrogateescape"),
        query_string=scope.get("query_string", b"").decode("utf-8", "surrogateescape"),
        headers=headers,
        body=body,
        source_ip=client[0] if client else None,
        secure=scope.get("scheme") == "https",
    )


def refusal(verdict: Verdict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and JSON body of a refused request."""
    headers = [(b"content-type", b"application/json")]
    if verdict.status == 401:
        headers.append((b"www-authenticate", b"AWS4-HMAC-SHA256"))
    return verdict.status, headers, json.dumps(verdict.error_body()).encode()


class StockadeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authorizer: Authorizer,
        permission_for: PermissionFor | None = None,
    ) -> None:
        self.app = app
        self.authorizer = authorizer
        self.permission_for = permission_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision = self._permission(scope)
        if decision is _PASS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if decision is None:
            verdict = Verdict(403, "AccessDenied", "This route declares no permission.")
        else:
            assert isinstance(decision, Permission)
            request = client_request(scope, body)
            verdict = await self.authorizer.check_async(request, decision)
        if not verdict.allowed:
            await _send(send, *refusal(verdict))
            return
        scope.setdefault("state", {})["stockade"] = verdict
        await self.app(scope, _replay(body, receive), send)

    def _permission(self, scope: Scope) -> Permission | object | None:
        """The permission the request needs; `_PASS` to let it through, None if undeclared."""
        if self.permission_for is not None:
            return self.permission_for(Request(scope))
        router = getattr(scope.get("app"), "router", None)
        for route in getattr(router, "routes", ()):
            match, child = route.matches(scope)
            if match is Match.FULL:
                endpoint = child.get("endpoint")
                if getattr(endpoint, _PUBLIC, False):
                    return _PASS
                declared = getattr(endpoint, _PERMISSION, None)
                if not isinstance(declared, _Declared):
                    return None
                return declared.permission(Request({**scope, **child}))
        return _PASS  # no route: the app answers 404 (or 405) itself


_PASS = object()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """The body again for the app, which cannot read it twice from the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
