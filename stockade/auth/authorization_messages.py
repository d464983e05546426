"""Encoded authorization messages: the details of a denial, readable only through STS.

Where AWS refuses a request with "Encoded authorization failure message: …", the message is
the decision's details (principal, action, resource, context, matched statements) sealed so
that only someone allowed `sts:DecodeAuthorizationMessage` in the same account can read them
(STS API Reference, DecodeAuthorizationMessage). Stockade seals them with AES-256-GCM under a
key derived from the master key for this purpose alone, with the account id as associated data::

    message = base64url( key id ‖ nonce ‖ AES-GCM(JSON document) ‖ tag )
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from stockade.auth.secrets import SecretBox, SecretsError

__all__ = ["MessageError", "MessageSealer"]

_PURPOSE = "authorization-message"
_MAX_CHARS = 65_536


class MessageError(Exception):
    """A message that does not open: altered, truncated, from another server or account."""


class MessageSealer:
    __slots__ = ("_box",)

    def __init__(self, master: SecretBox) -> None:
        self._box = master.derive(_PURPOSE)

    def __repr__(self) -> str:
        return "MessageSealer()"

    def encode(self, document: dict[str, Any], account_id: str) -> str:
        text = json.dumps(document, separators=(",", ":"))
        return base64.urlsafe_b64encode(self._box.seal(text, account_id)).rstrip(b"=").decode()

    def decode(self, message: str, account_id: str) -> str:
        """The document's JSON text, as DecodeAuthorizationMessage returns it."""
        if not message or len(message) > _MAX_CHARS:
            raise MessageError
        try:
            raw = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4))
            return self._box.open(raw, account_id)
        except (binascii.Error, ValueError, SecretsError):
            raise MessageError from None
