"""Validation messages in AWS's words (Coral's validator).

`Value 'x' at 'userName' failed to satisfy constraint: Member must ...`; every failure of a
request is collected into one `ValidationError` whose message counts them.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any


def validation_message(errors: list[str]) -> str:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)


def failure(shown: str | None, loc: str, phrase: str) -> str:
    # AWS leaves the value out for members the model marks sensitive (passwords, secrets).
    value = "Value" if shown is None else f"Value '{shown}'"
    return f"{value} at '{loc}' failed to satisfy constraint: {phrase}"


def null_failure(loc: str) -> str:
    return f"Value null at '{loc}' failed to satisfy constraint: Member must not be null"


def show(value: Any) -> str:
    """A value as AWS's (Java) messages print it: lists `[a, b]`, maps `{k=v}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}={show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def enum_phrase(values: tuple[str, ...]) -> str:
    return "Member must satisfy enum value set: [" + ", ".join(values) + "]"
