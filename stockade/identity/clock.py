"""The one clock the domain reads, so tests and the server agree on "now"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

# Set only by `frozen_at`: tests (and reports written by hand for a known moment) need a clock
# that stands still; the server never sets it.
_fixed: datetime | None = None


def now() -> datetime:
    """Now, in UTC, to the second (IAM's timestamps carry no fractions)."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC).replace(microsecond=0)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, `now()` answers `moment` (UTC, whole seconds)."""
    global _fixed
    previous = _fixed
    _fixed = moment.astimezone(UTC).replace(microsecond=0)
    try:
        yield
    finally:
        _fixed = previous
