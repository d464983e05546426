"""Secrets at rest (secret access keys, MFA seeds) sealed with AES-256-GCM.

A sealed value is::

    key id (1 byte) ‖ nonce (12 random bytes) ‖ AES-GCM ciphertext and 16-byte tag

and the associated data is the key id byte followed by the UTF-8 `context`, so a value only opens
with the key that sealed it and under the context it was sealed for (an access key id, a device
serial): a sealed value copied to another row does not open.

The key id names which master key sealed a value. Today there is one key, id 1. Rotating means
adding a second key with a new id, sealing new values with it, re-sealing old rows at leisure, and
keeping the old key until no row starts with its id; `SecretBox` already opens by id from a table
of keys, so only a way to configure several keys is missing.

With random 96-bit nonces one key should seal fewer than 2**32 values (NIST SP 800-38D); a
server writing one secret per access key or MFA device is many orders of magnitude below that.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["KEY_ENV", "KEY_FILE", "SecretBox", "SecretsError"]

KEY_ENV = "STOCKADE_MASTER_KEY"
KEY_FILE = "master.key"
_KEY_SIZE = 32
_NONCE_SIZE = 12
_TAG_SIZE = 16
_CURRENT_KEY_ID = 1


class SecretsError(Exception):
    """A master key that cannot be used, or a sealed value that does not open.

    Messages never say why a value failed to open (wrong key, wrong context, tampering).
    """


class SecretBox:
    """Seals and opens short secrets with the master key; holds keys by id for rotation."""

    __slots__ = ("_ciphers", "_current", "_keys")

    def __init__(self, keys: Mapping[int, bytes], current: int) -> None:
        if current not in keys:
            raise SecretsError("the current key id has no key")
        ciphers = {}
        for key_id, key in keys.items():
            if not 0 < key_id < 256:
                raise SecretsError("key ids are 1 to 255")
            if len(key) != _KEY_SIZE:
                raise SecretsError(f"a master key is {_KEY_SIZE} bytes")
            ciphers[key_id] = AESGCM(key)
        self._ciphers = ciphers
        self._keys = dict(keys)  # kept only to derive purpose keys from (`derive`)
        self._current = current

    def __repr__(self) -> str:  # never the key material
        return f"SecretBox(key_ids={sorted(self._ciphers)}, current={self._current})"

    @classmethod
    def from_key(cls, key: bytes) -> SecretBox:
        return cls({_CURRENT_KEY_ID: key}, _CURRENT_KEY_ID)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SecretBox:
        """The key from `STOCKADE_MASTER_KEY` (URL-safe base64 of 32 bytes) if set, else from
        `data_dir/master.key` (32 raw bytes, mode 0600), created on first use."""
        encoded = os.environ.get(KEY_ENV)
        if encoded is not None:
            return cls.from_key(_decode_env_key(encoded))
        path = Path(data_dir) / KEY_FILE
        try:
            return cls.from_key(_load_or_create_key_file(path))
        except OSError as error:  # unreadable, a symlink (ELOOP), a read-only directory, ...
            raise SecretsError(f"cannot use the master key file {path}: {error.strerror}") from None

    def derive(self, purpose: str) -> SecretBox:
        """A box whose keys are derived (HKDF-SHA256) from these, one per key id, for `purpose`.

        Each use of the master key that is not "a secret at rest" (session tokens, encoded
        authorization messages) gets its own derived key, so a value sealed for one purpose
        never opens as another, and the master key itself never leaves this class.
        """
        derived = {
            key_id: HKDF(
                algorithm=hashes.SHA256(),
                length=_KEY_SIZE,
                salt=None,
                info=f"stockade:{purpose}".encode(),
            ).derive(self._keys[key_id])
            for key_id in self._keys
        }
        return SecretBox(derived, self._current)

    def seal(self, plaintext: str, context: str) -> bytes:
        header = bytes((self._current,))
        nonce = secrets.token_bytes(_NONCE_SIZE)
        sealed = self._ciphers[self._current].encrypt(
            nonce, plaintext.encode("utf-8"), header + context.encode("utf-8")
        )
        return header + nonce + sealed

    def open(self, sealed: bytes, context: str) -> str:
        try:
            if len(sealed) < 1 + _NONCE_SIZE + _TAG_SIZE:
                raise ValueError
            cipher = self._ciphers[sealed[0]]
            plaintext = cipher.decrypt(
                sealed[1 : 1 + _NONCE_SIZE],
                sealed[1 + _NONCE_SIZE :],
                sealed[:1] + context.encode("utf-8"),
            )
            return plaintext.decode("utf-8")
        except (InvalidTag, KeyError, ValueError, TypeError, IndexError):
            # One answer for every failure, and no chained cause that would tell them apart.
            raise SecretsError("the sealed value cannot be opened") from None


def _decode_env_key(encoded: str) -> bytes:
    text = encoded.strip()
    text += "=" * (-len(text) % 4)
    try:
        key = base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SecretsError(f"{KEY_ENV} is not URL-safe base64") from None
    if len(key) != _KEY_SIZE:
        raise SecretsError(f"{KEY_ENV} must encode {_KEY_SIZE} bytes, not {len(key)}")
    return key


def _load_or_create_key_file(path: Path) -> bytes:
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _create_key_file(path)
    return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    # O_NOFOLLOW and fstat on the open descriptor: the checks apply to the file actually read.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SecretsError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            raise SecretsError(
                f"{path} is accessible by group or others (mode {stat.S_IMODE(info.st_mode):o}); "
                "it must be 0600"
            )
        if info.st_size != _KEY_SIZE:
            raise SecretsError(f"{path} must hold exactly {_KEY_SIZE} bytes")
        key = os.read(fd, _KEY_SIZE + 1)
    finally:
        os.close(fd)
    if len(key) != _KEY_SIZE:
        raise SecretsError(f"{path} must hold exactly {_KEY_SIZE} bytes")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key so that no reader ever sees a partial file, and two racing creators agree.

    The key goes to a private temporary file created with O_CREAT|O_EXCL and mode 0600, is
    synced, then hard-linked into place: link refuses to replace an existing file, so the first
    creator wins and a loser reads the winner's key.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask can only remove bits, but be explicit
        os.write(fd, secrets.token_bytes(_KEY_SIZE))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process created it first: use theirs
    finally:
        temporary.unlink()
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every filesystem syncs directories; the key file itself is synced
    finally:
        os.close(fd)
