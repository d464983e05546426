"""One call per request, for frameworks without ASGI middleware (Flask, Django, plain WSGI)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stockade.integrations.authorizer import Authorizer
from stockade.integrations.model import ClientRequest, ContextValue, Permission, Verdict


def authorize_request(
    authorizer: Authorizer,
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes = b"",
    source_ip: str | None = None,
    secure: bool = False,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue] | None = None,
) -> Verdict:
    """Stockade's verdict on one request (blocking). `path` and `query_string` as sent, still
    percent-encoded (WSGI: `RAW_URI` or `REQUEST_URI`, not `PATH_INFO`); `headers` as received,
    names in any case. Answer `verdict.status` with `verdict.error_body()` unless allowed."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    joined: dict[str, str] = {}
    for raw_name, value in pairs:
        name = raw_name.lower()
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    request = ClientRequest(method.upper(), path, query_string, joined, body, source_ip, secure)
    return authorizer.check(request, Permission(action, resource, dict(context or {})))
