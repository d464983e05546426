"""Ask Stockade about one client request: `Stockade.Authorize`, signed with the service's keys.

`Authorizer.check` (blocking) and `Authorizer.check_async` (for ASGI apps) forward the client's
request (its body as a SHA-256, never the body itself) with the permission the service needs,
and turn Stockade's answer into a `Verdict`. Answers for authenticated requests are remembered
a few seconds (`DecisionCache`: why a hit can never skip a signature check is written there).
If Stockade cannot be asked, or refuses the service itself, the verdict is 503: closed, never
open.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from stockade.integrations.cache import DecisionCache, payload_hash, request_key
from stockade.integrations.model import ClientRequest, Permission, Verdict

log = logging.getLogger("stockade.integrations")

TARGET = "Stockade.Authorize"
CONTENT_TYPE = "application/x-amz-json-1.1"


class Authorizer:
    """One service's connection to Stockade.

    `endpoint`: Stockade's URL. `access_key_id`/`secret_access_key` (and `session_token`): the
    service's own Stockade credentials, which need `stockade:Authorize`. `service`: the signing
    name the service's clients use (`invoices`): a request signed for any other service is
    refused, so a request made to one service cannot be replayed against another.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        service: str,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None = None,
        region: str = "us-east-1",
        cache: DecisionCache | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/"
        self.service = service
        self.region = region
        self.cache = cache if cache is not None else DecisionCache()
        self._credentials = Credentials(access_key_id, secret_access_key, session_token)
        self._timeout = timeout
        self._client: httpx.Client | None = None
        self._async_client: httpx.AsyncClient | None = None

    # -- the two entry points -------------------------------------------------------------

    def check(self, request: ClientRequest, permission: Permission) -> Verdict:
        body_hash = payload_hash(request.body)
        key = request_key(request, body_hash, permission)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout)
        body, headers = self._signed_call(request, body_hash, permission)
        try:
            reply = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return _unavailable(f"Stockade could not be reached: {type(exc).__name__}")
        return self._verdict(key, reply.status_code, reply.content)

    async def check_async(self, request: ClientRequest, permission: Permission) -> Verdict:
        body_hash = payload_hash(request.body)
        key = request_key(request, body_hash, permission)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(timeout=self._timeout)
        body, headers = self._signed_call(request, body_hash, permission)
        try:
            reply = await self._async_client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return _unavailable(f"Stockade could not be reached: {type(exc).__name__}")
        return self._verdict(key, reply.status_code, reply.content)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.aclose()

    # -- the call -------------------------------------------------------------------------

    def _signed_call(
        self, request: ClientRequest, body_hash: str, permission: Permission
    ) -> tuple[bytes, dict[str, str]]:
        question: dict[str, Any] = {
            "Request": {
                "Method": request.method,
                "Path": request.path,
                "QueryString": request.query_string,
                "Headers": dict(request.headers),
                "PayloadHash": body_hash,
                "SecureTransport": request.secure,
            },
            "Action": permission.action,
            "Resource": permission.resource,
            "Service": self.service,
            "Explain": False,  # the reason of a denial comes anyway; allows need no more
        }
        if request.source_ip:
            question["Request"]["SourceIp"] = request.source_ip
        if permission.context:
            question["Context"] = {
                name: value if isinstance(value, str) else list(value)
                for name, value in permission.context.items()
            }
        body = json.dumps(question).encode()
        call = AWSRequest(
            "POST",
            self.url,
            data=body,
            headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET},
        )
        SigV4Auth(self._credentials, "stockade", self.region).add_auth(call)
        return body, dict(call.headers.items())

    def _verdict(self, key: bytes, status: int, content: bytes) -> Verdict:
        try:
            answer = json.loads(content)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return _unavailable(f"Stockade answered HTTP {status} without a JSON document")
        if status != 200:
            # The service's own call failed: its keys, its permission, or Stockade itself.
            log.error("Stockade.Authorize refused: %s %s", answer.get("__type"), answer)
            return _unavailable(
                f"Stockade refused the service's authorization call: {answer.get('__type')}"
            )
        if not answer.get("Authenticated"):
            error = answer.get("Error") or {}
            return Verdict(401, str(error.get("Code")), str(error.get("Message")))
        verdict = _decided(answer)
        valid_until = answer.get("SignatureValidUntil")
        self.cache.put(key, _as_cached(verdict), _number(valid_until))
        return verdict


def _decided(answer: Mapping[str, Any]) -> Verdict:
    allowed = answer.get("Decision") == "Allow"
    return Verdict(
        200 if allowed else 403,
        "Allowed" if allowed else "AccessDenied",
        "allowed" if allowed else str(answer.get("Reason", "Access denied")),
        principal=answer.get("Principal"),
        policy_version=answer.get("PolicyVersion"),
        outcome=answer.get("Outcome"),
        explanation=answer.get("Explanation"),
    )


def _as_cached(verdict: Verdict) -> Verdict:
    return Verdict(
        verdict.status,
        verdict.code,
        verdict.message,
        verdict.principal,
        verdict.policy_version,
        verdict.outcome,
        verdict.explanation,
        cached=True,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _unavailable(message: str) -> Verdict:
    return Verdict(503, "AuthorizationUnavailable", message)
