"""What a service asks Stockade and what it gets back, independent of any web framework."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ContextValue = str | Sequence[str]


@dataclass(frozen=True, slots=True)
class Permission:
    """The service's own action on its own resource (`invoices:GetInvoice`,
    `arn:stockade:invoices:::invoice/42`), with any condition keys of its own (`invoices:*`)."""

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """A request as the service received it: raw path and query, headers as sent (lower-case
    names; a repeated header's values joined with ","), and the body."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes = b""
    source_ip: str | None = None
    secure: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """Stockade's answer for one request, as the service acts on it.

    `status` is what the service answers: 200 allowed, 401 not authenticated (unsigned, bad or
    expired signature, unknown key), 403 denied, 503 when Stockade could not be asked.
    """

    status: int
    code: str  # "Allowed", AWS's authentication code, "AccessDenied" or "AuthorizationUnavailable"
    message: str
    principal: Mapping[str, Any] | None = None
    policy_version: int | None = None
    outcome: str | None = None  # allowed | explicitDeny | implicitDeny
    explanation: Mapping[str, Any] | None = None
    cached: bool = False

    @property
    def allowed(self) -> bool:
        return self.status == 200

    @property
    def principal_arn(self) -> str | None:
        return None if self.principal is None else str(self.principal["Arn"])

    def error_body(self) -> dict[str, Any]:
        """The JSON a refused client gets: what failed and why, never the policies themselves."""
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.status == 403 and self.outcome is not None:
            body["decision"] = self.outcome
        return body
