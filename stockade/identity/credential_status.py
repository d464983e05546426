"""The status a caller may give a signing certificate, SSH key or service-specific credential."""

from __future__ import annotations

from stockade.identity.errors import ValidationError


def check_settable(status: str) -> None:
    # The model's statusType also lists Expired, which only expiry sets: no caller may.
    if status not in ("Active", "Inactive"):
        raise ValidationError(f"Status {status} cannot be set: use Active or Inactive.")
