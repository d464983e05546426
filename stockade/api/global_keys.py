"""The global condition keys of a request (policy-semantics reference, §1.6).

Used for the IAM and STS requests the gateway serves, for the requests Stockade's own JSON
operations receive and for the requests a service
forwards to `Stockade.Authorize`, whose network facts (source IP, TLS) the service reports. The
principal's keys (who, its tags, a session's MFA state and issue time) are the gateway's own,
from `callers.principal_keys`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stockade.api import callers
from stockade.api.context import Caller


def request_keys(
    *, now: datetime, secure: bool, source_ip: str | None, user_agent: str, region: str
) -> dict[str, Any]:
    """The keys the request itself sets, whoever makes it (a caller or nobody yet)."""
    context: dict[str, Any] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:UserAgent": user_agent,
        "aws:RequestedRegion": region,
    }
    if source_ip:  # absent rather than empty: IfExists conditions then read it as absent
        context["aws:SourceIp"] = source_ip
    return context


def global_context(
    caller: Caller,
    *,
    now: datetime,
    secure: bool,
    source_ip: str | None,
    user_agent: str,
    region: str,
) -> dict[str, Any]:
    keys = request_keys(
        now=now, secure=secure, source_ip=source_ip, user_agent=user_agent, region=region
    )
    return {**keys, **callers.principal_keys(caller, now)}
