"""Operation name → handler, per service; shared helpers for targets, pagination and tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from stockade.api.authorize import authorize
from stockade.api.context import Call, OpenCall
from stockade.identity import entities, names
from stockade.identity.entities import USER, Kind
from stockade.identity.errors import NoSuchEntity
from stockade.protocol import AWSError

Result = dict[str, Any] | None
Handler = Callable[[Call], Result]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    writes: bool
    # Once its caches are warm, answered from memory alone: a server on PostgreSQL runs it on
    # the event loop first, and in a worker only if it reaches for the database (app.py).
    from_memory: bool = False


OPERATIONS: dict[str, dict[str, Operation]] = {"iam": {}, "sts": {}}
F = TypeVar("F", bound=Handler)

OpenHandler = Callable[[OpenCall], Result]


@dataclass(frozen=True, slots=True)
class OpenOperation:
    name: str
    handler: OpenHandler
    writes: bool


# Operations AWS serves to unsigned requests. The gateway runs them without a caller only when
# the request carries no signature at all; a signed request is verified as any other first.
OPEN_OPERATIONS: dict[str, dict[str, OpenOperation]] = {"iam": {}, "sts": {}}
H = TypeVar("H", bound=OpenHandler)


def operation(
    service: str, name: str, *, writes: bool | None = None, from_memory: bool = False
) -> Callable[[F], F]:
    """Register a handler. Reads (Get*, List*, …) run in a read transaction. `from_memory`:
    every lookup it makes goes through a per-generation cache (principals, callers, users)."""

    def register(handler: F) -> F:
        is_write = (
            writes if writes is not None else not name.startswith(("Get", "List", "Simulate"))
        )
        OPERATIONS[service][name] = Operation(name, handler, is_write, from_memory)
        return handler

    return register


def open_operation(service: str, name: str, *, writes: bool) -> Callable[[H], H]:
    """Register an operation anyone may call without credentials."""

    def register(handler: H) -> H:
        OPEN_OPERATIONS[service][name] = OpenOperation(name, handler, writes)

        def signed(call: Call) -> Result:  # the signer's identity plays no part
            return handler(
                OpenCall(call.tx, call.services, name, call.params, call.request_time, call.context)
            )

        OPERATIONS[service][name] = Operation(name, signed, writes)
        return handler

    return register


def entity_arn(call: Call, kind: Kind, name: str, row: dict[str, Any] | None) -> str:
    if row is not None:
        return kind.arn(call.caller.account_id, row)
    return names.arn(call.caller.account_id, kind.name, "/", name)


def target(
    call: Call, kind: Kind, name: str, action: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The named entity, once the caller is allowed `action` on it.

    Authorization comes first, on the entity's ARN (path-less if it does not exist), so that a
    caller without permission learns nothing about what exists.
    """
    return tagged_target(call, kind, name, action, extra)[0]


def tagged_target(
    call: Call, kind: Kind, name: str, action: str, extra: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """`target`, with the entity's tags (read once: for aws:ResourceTag and for the answer)."""
    row = _find(call, kind, name)
    arn = entity_arn(call, kind, name, row)
    found: list[dict[str, str]] = []
    if row is not None and kind.name in _TAGGED_KINDS:
        account_id, generation = call.caller.account_id, call.caller.generation
        found = call.services.policy_cache.entity_tags(call.tx, account_id, arn, generation)
        extra = {**resource_tag_context(found), **(extra or {})}
    authorize(call, action, arn, extra)
    if row is None:
        raise NoSuchEntity(f"The {kind.label} with name {name} cannot be found.")
    return row, found


_TAGGED_KINDS = frozenset({"user", "role"})


def _find(call: Call, kind: Kind, name: str) -> dict[str, Any] | None:
    """The named entity; a read takes a user from the per-generation cache. Roles are read
    each time: assuming one records RoleLastUsed, which moves no generation."""
    generation = call.caller.generation
    if kind is USER and call.reads_only and generation is not None:
        cache = call.services.policy_cache
        return cache.user(call.tx, call.caller.account_id, name, generation)
    return entities.find(call.tx, kind, call.caller.account_id, name)


def resource_tag_context(resource_tags: list[dict[str, str]]) -> dict[str, Any]:
    """aws:ResourceTag/* (and IAM's own iam:ResourceTag/*) for a tagged target."""
    context: dict[str, Any] = {}
    for item in resource_tags:
        context[f"aws:ResourceTag/{item['Key']}"] = item["Value"]
        context[f"iam:ResourceTag/{item['Key']}"] = item["Value"]
    return context


def authorize_create(call: Call, kind: Kind, name: str) -> str:
    """Authorize creating a user or role on the ARN it will have; returns its path.

    Both take Tags and a PermissionsBoundary, which policies may constrain.
    """
    path = str(call.params.get("Path") or "/")
    extra = tag_context(call)
    if call.params.get("PermissionsBoundary"):
        extra["iam:PermissionsBoundary"] = call.params["PermissionsBoundary"]
    arn = names.arn(call.caller.account_id, kind.name, path, name)
    authorize(call, f"iam:Create{kind.label.capitalize()}", arn, extra)
    return path


def caller_user_name(call: Call) -> str:
    """Operations whose UserName is optional act on the calling user."""
    name = call.params.get("UserName")
    if name:
        return str(name)
    user = call.caller.user
    if not call.caller.is_user or user is None:
        raise AWSError(
            "ValidationError", "Must specify userName when calling with non-User credentials", 400
        )
    return str(user["name"])


def paginate(
    call: Call, items: Sequence[Any], key: str, *, page_size: int = 100, **extra: Any
) -> dict[str, Any]:
    """Marker / MaxItems / IsTruncated, as every IAM List* does. The marker is opaque to clients.
    `page_size` is the page without MaxItems: 100 for most operations."""
    marker = call.params.get("Marker")
    start = 0
    if marker:
        try:
            start = int(str(marker).removeprefix("m"))
        except ValueError:
            raise AWSError("ValidationError", "Invalid value for parameter Marker", 400) from None
    size = int(call.params.get("MaxItems") or page_size)
    page = list(items[start : start + size])
    truncated = start + size < len(items)
    result: dict[str, Any] = {key: page, "IsTruncated": truncated, **extra}
    if truncated:
        result["Marker"] = f"m{start + size}"
    return result


def tag_context(call: Call) -> dict[str, Any]:
    """aws:RequestTag/* and aws:TagKeys for operations that take Tags."""
    given = call.params.get("Tags") or []
    context: dict[str, Any] = {f"aws:RequestTag/{t['Key']}": t.get("Value", "") for t in given}
    if given:
        context["aws:TagKeys"] = [t["Key"] for t in given]
    return context
