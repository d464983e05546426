"""Operation name → handler, per service; shared helpers for targets, pagination and tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.identity import entities, names
from stockade.identity.entities import Kind
from stockade.identity.errors import NoSuchEntity
from stockade.protocol import AWSError

Result = dict[str, Any] | None
Handler = Callable[[Call], Result]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    writes: bool


OPERATIONS: dict[str, dict[str, Operation]] = {"iam": {}, "sts": {}}
F = TypeVar("F", bound=Handler)


def operation(service: str, name: str, *, writes: bool | None = None) -> Callable[[F], F]:
    """Register a handler. Reads (Get*, List*, …) run in a read transaction."""

    def register(handler: F) -> F:
        is_write = (
            writes if writes is not None else not name.startswith(("Get", "List", "Simulate"))
        )
        OPERATIONS[service][name] = Operation(name, handler, is_write)
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
    row = entities.find(call.tx, kind, call.caller.account_id, name)
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


def paginate(call: Call, items: Sequence[Any], key: str, **extra: Any) -> dict[str, Any]:
    """Marker / MaxItems / IsTruncated, as every IAM List* does. The marker is opaque to clients."""
    marker = call.params.get("Marker")
    start = 0
    if marker:
        try:
            start = int(str(marker).removeprefix("m"))
        except ValueError:
            raise AWSError("ValidationError", "Invalid value for parameter Marker", 400) from None
    size = int(call.params.get("MaxItems") or 100)
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
