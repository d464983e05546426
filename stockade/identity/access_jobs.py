"""Job ids of service last accessed reports that hold the job itself, so nothing is stored.

A report job finishes as soon as it is asked for, so all a JobId has to carry is what the job is
about: which entity (its kind and the 85 random bits of its unique id, or for an AWS managed
policy the hash of its ARN), the granularity, and the second it was created. Those 16 bytes are
sealed as one AES block under a key derived for the account (`SecretBox.seal_block`) and written
as a UUID, the 36 characters AWS's JobIds have. Any node with the master key reads it back;
another account's id, or any made-up one, opens to bytes whose check bits fail, and no one can
make an id for an entity without asking the server.

Block layout: byte 0 is 0xA0 | granularity << 3 | kind; bytes 1 to 4 the creation time in seconds
since the epoch; bytes 5 to 15 the 88-bit reference.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from stockade.auth.secrets import SecretBox
from stockade.identity import names
from stockade.identity.aws_policies import aws_managed_policies, hash_arn

GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")
# Kinds of report subject, by their code in the block. Customer managed policies live in the
# database under an ANPA… id; AWS managed ones only in the package, named by ARN.
KINDS = ("user", "group", "role", "policy", "aws-policy")
_ID_PREFIXES = {
    "user": names.USER_ID_PREFIX,
    "group": names.GROUP_ID_PREFIX,
    "role": names.ROLE_ID_PREFIX,
    "policy": names.POLICY_ID_PREFIX,
}
_MAGIC = 0xA0
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ID_SUFFIX_LENGTH = 17  # a unique id is its 4-letter prefix and 17 base-32 characters
_REFERENCE_BYTES = 11


@dataclass(frozen=True, slots=True)
class Job:
    kind: str  # one of KINDS
    subject: str  # the unique id of a user, group, role or customer policy; an AWS policy's ARN
    granularity: str  # one of GRANULARITIES
    created: datetime  # to the second, as the id holds it


def _context(account_id: str) -> str:
    return f"service-last-accessed-job:{account_id}"


def encode(box: SecretBox, account_id: str, job: Job) -> str | None:
    """The JobId of `job`, or None if its subject's id is not one Stockade can carry."""
    reference = _reference(job.kind, job.subject)
    if reference is None:
        return None
    head = _MAGIC | GRANULARITIES.index(job.granularity) << 3 | KINDS.index(job.kind)
    block = (
        bytes((head,))
        + int(job.created.timestamp()).to_bytes(4, "big")
        + reference.to_bytes(_REFERENCE_BYTES, "big")
    )
    return str(uuid.UUID(bytes=box.seal_block(block, _context(account_id))))


def decode(box: SecretBox, account_id: str, job_id: str) -> Job | None:
    """The job a JobId of this account holds; None for any other text."""
    try:
        sealed = uuid.UUID(job_id).bytes
    except ValueError:
        return None
    block = box.open_block(sealed, _context(account_id))
    head = block[0]
    kind_code, granularity_code = head & 0x07, head >> 3 & 0x01
    if head & 0xF0 != _MAGIC or kind_code >= len(KINDS):
        return None
    kind = KINDS[kind_code]
    subject = _subject(kind, int.from_bytes(block[5:], "big"))
    if subject is None:
        return None
    created = datetime.fromtimestamp(int.from_bytes(block[1:5], "big"), UTC)
    return Job(kind, subject, GRANULARITIES[granularity_code], created)


def _reference(kind: str, subject: str) -> int | None:
    if kind == "aws-policy":
        return hash_arn(subject)
    suffix = subject[len(_ID_PREFIXES[kind]) :]
    if not subject.startswith(_ID_PREFIXES[kind]) or len(suffix) != _ID_SUFFIX_LENGTH:
        return None
    value = 0
    for char in suffix:
        digit = _BASE32.find(char)
        if digit < 0:
            return None
        value = value * 32 + digit
    return value


def _subject(kind: str, reference: int) -> str | None:
    if kind == "aws-policy":
        return _aws_policy_by_hash().get(reference)
    if reference >= 32**_ID_SUFFIX_LENGTH:
        return None
    chars = []
    for _ in range(_ID_SUFFIX_LENGTH):
        reference, digit = divmod(reference, 32)
        chars.append(_BASE32[digit])
    return _ID_PREFIXES[kind] + "".join(reversed(chars))


@cache
def _aws_policy_by_hash() -> dict[int, str]:
    return {hash_arn(arn): arn for arn in aws_managed_policies()}
