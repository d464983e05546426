"""The global condition keys of a request (policy-semantics reference, §1.6).

Used for the requests Stockade's own JSON operations receive and for the requests a service
forwards to `Stockade.Authorize`, whose network facts (source IP, TLS) the service reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.api.context import Caller
from stockade.identity import tags
from stockade.policy.request import principal_context


def global_context(
    tx: Connection,
    caller: Caller,
    *,
    now: datetime,
    secure: bool,
    source_ip: str | None,
    user_agent: str,
    region: str,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:UserAgent": user_agent,
        "aws:RequestedRegion": region,
        **principal_context(caller.principal),
    }
    if source_ip:  # absent rather than empty: IfExists conditions then read it as absent
        context["aws:SourceIp"] = source_ip
    if caller.user is not None:
        context["aws:userid"] = caller.user["user_id"]
        for tag in tags.list_tags(tx, caller.arn):
            context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    return context
