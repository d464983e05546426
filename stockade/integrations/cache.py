"""A few seconds' memory of Stockade's answers, that can never skip a signature check.

Why the key is the whole signed request. A client's secret never leaves Stockade, so this
process cannot verify a signature: only Stockade can say that a request was signed by the key
it names. A cache keyed by (access key id, action, resource) would therefore let anyone who
copies an access key id — it is not a secret — ride on an earlier, genuinely signed request's
decision. So an entry answers only for a request identical, in everything the signature and
the decision depend on, to one Stockade verified: method, raw path and query, every header
(the Authorization header carries the signature), the body's SHA-256, the client's address and
scheme, and the action, resource and context asked about. A hit is a replay of a verified
request, which Stockade itself would accept (SigV4 has no nonce), so no entry outlives the
signature's own validity (`SignatureValidUntil`), nor the TTL.

Why the policy version is in it. Each answer carries the account's policy version (its
generation: any IAM change moves it). An entry holds the version it was decided under and is
good only while no newer version of that account has been seen; so once any request of the
account shows a change (a policy detached, a key deactivated), every older decision of the
account is dropped at once rather than at the end of its TTL. The TTL bounds how long a change
goes unseen when no fresh request shows it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from stockade.integrations.model import ClientRequest, Permission, Verdict

DEFAULT_TTL = 5.0
DEFAULT_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class _Entry:
    verdict: Verdict
    account_id: str
    version: int
    deadline: float  # time.monotonic()
    valid_until: float  # time.time(): the signature's own end


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_key(request: ClientRequest, body_hash: str, permission: Permission) -> bytes:
    """A digest of everything a decision depends on. Each part is length-prefixed, so no two
    different requests can run together into the same bytes."""
    digest = hashlib.sha256()

    def part(text: str) -> None:
        data = text.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)

    part(request.method)
    part(request.path)
    part(request.query_string)
    part(body_hash)
    part(request.source_ip or "")
    part("https" if request.secure else "http")
    part(permission.action)
    part(permission.resource)
    headers = request.headers
    part(str(len(headers)))
    for name in sorted(headers):
        part(name)
        part(headers[name])
    context = permission.context
    part(str(len(context)))
    for name in sorted(context):
        value = context[name]
        part(name)
        if isinstance(value, str):
            part("s")
            part(value)
        else:
            part(f"l{len(value)}")
            for item in value:
                part(item)
    return digest.digest()


class DecisionCache:
    """Verdicts of authenticated requests, by request digest; thread-safe."""

    def __init__(self, ttl: float = DEFAULT_TTL, size: int = DEFAULT_SIZE) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[bytes, _Entry] = {}
        self._versions: dict[str, int] = {}  # newest policy version seen, per account
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Verdict | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if (
            time.monotonic() >= entry.deadline
            or time.time() >= entry.valid_until
            or self._versions.get(entry.account_id, entry.version) != entry.version
        ):
            with self._lock:
                self._entries.pop(key, None)
            return None
        return entry.verdict

    def put(self, key: bytes, verdict: Verdict, valid_until: float | None) -> None:
        """Remember an authenticated verdict; note its account's policy version either way."""
        principal = verdict.principal
        if principal is None or verdict.policy_version is None:
            return
        account_id = str(principal["AccountId"])
        version = verdict.policy_version
        with self._lock:
            newest = self._versions.get(account_id, version)
            if version < newest:
                return  # decided under an older version than one already seen
            self._versions[account_id] = version
            if self.ttl <= 0 or valid_until is None:
                return
            while len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))  # the oldest insertion
            self._entries[key] = _Entry(
                verdict, account_id, version, time.monotonic() + self.ttl, valid_until
            )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._versions.clear()

    def __len__(self) -> int:
        return len(self._entries)
