"""The one clock the domain reads, so tests and the server agree on "now"."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Now, in UTC, to the second (IAM's timestamps carry no fractions)."""
    return datetime.now(UTC).replace(microsecond=0)
