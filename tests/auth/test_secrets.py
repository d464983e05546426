"""Secrets at rest: AES-GCM sealing bound to a context, and the master key's custody."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest

from stockade.auth import SecretBox, SecretsError
from stockade.auth.secrets import KEY_ENV

KEY = bytes(range(32))


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_round_trip() -> None:
    box = SecretBox.from_key(KEY)
    for secret in ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "ünïcode ☃"):
        assert box.open(box.seal(secret, "AKIAEXAMPLE"), "AKIAEXAMPLE") == secret


def test_layout_key_id_nonce_ciphertext() -> None:
    sealed = SecretBox.from_key(KEY).seal("abc", "ctx")
    assert sealed[0] == 1  # key id
    assert len(sealed) == 1 + 12 + 3 + 16  # id, nonce, ciphertext, tag


def test_nonces_are_fresh() -> None:
    box = SecretBox.from_key(KEY)
    assert box.seal("same", "ctx") != box.seal("same", "ctx")


def test_other_context_fails() -> None:
    box = SecretBox.from_key(KEY)
    sealed = box.seal("secret", "AKIAONE")
    with pytest.raises(SecretsError):
        box.open(sealed, "AKIATWO")


def test_other_key_fails() -> None:
    sealed = SecretBox.from_key(KEY).seal("secret", "ctx")
    with pytest.raises(SecretsError):
        SecretBox.from_key(bytes(32)).open(sealed, "ctx")


@pytest.mark.parametrize("index", [0, 1, 12, 13, -1])
def test_any_tampering_fails(index: int) -> None:
    box = SecretBox.from_key(KEY)
    sealed = bytearray(box.seal("secret", "ctx"))
    sealed[index] ^= 0x01
    with pytest.raises(SecretsError):
        box.open(bytes(sealed), "ctx")


@pytest.mark.parametrize("sealed", [b"", b"\x01", b"\x01" + bytes(27), b"\x02" + bytes(40)])
def test_short_or_unknown_values_fail_alike(sealed: bytes) -> None:
    with pytest.raises(SecretsError) as caught:
        SecretBox.from_key(KEY).open(sealed, "ctx")
    assert str(caught.value) == "the sealed value cannot be opened"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_repr_hides_the_key() -> None:
    box = SecretBox.from_key(KEY)
    assert KEY.hex() not in repr(box) and str(list(KEY)) not in repr(box)


def test_bad_key_size() -> None:
    with pytest.raises(SecretsError):
        SecretBox.from_key(b"short")


def test_key_file_created_private_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    box = SecretBox.from_data_dir(data_dir)
    key_file = data_dir / "master.key"
    info = key_file.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_size == 32
    assert not [p for p in data_dir.iterdir() if p.name != "master.key"]  # no temp file left
    sealed = box.seal("secret", "ctx")
    assert SecretBox.from_data_dir(data_dir).open(sealed, "ctx") == "secret"


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    SecretBox.from_data_dir(tmp_path)
    os.chmod(tmp_path / "master.key", 0o644)
    with pytest.raises(SecretsError, match="0600"):
        SecretBox.from_data_dir(tmp_path)
    os.chmod(tmp_path / "master.key", 0o620)
    with pytest.raises(SecretsError):
        SecretBox.from_data_dir(tmp_path)


def test_key_file_of_wrong_size_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_bytes(b"x" * 31)
    key_file.chmod(0o600)
    with pytest.raises(SecretsError, match="32 bytes"):
        SecretBox.from_data_dir(tmp_path)


def test_key_file_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(KEY)
    target.chmod(0o600)
    (tmp_path / "master.key").symlink_to(target)
    with pytest.raises(SecretsError, match="cannot use the master key file"):
        SecretBox.from_data_dir(tmp_path)


def test_racing_creators_agree(tmp_path: Path) -> None:
    boxes: list[SecretBox] = []
    threads = [
        threading.Thread(target=lambda: boxes.append(SecretBox.from_data_dir(tmp_path)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sealed = boxes[0].seal("secret", "ctx")
    assert all(box.open(sealed, "ctx") == "secret" for box in boxes)


def test_env_key_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, base64.urlsafe_b64encode(KEY).decode().rstrip("="))
    box = SecretBox.from_data_dir(tmp_path)
    assert not (tmp_path / "master.key").exists()
    assert SecretBox.from_key(KEY).open(box.seal("s", "c"), "c") == "s"


@pytest.mark.parametrize("value", ["not base64!", base64.urlsafe_b64encode(bytes(16)).decode()])
def test_bad_env_key_is_refused_without_echo(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, value)
    with pytest.raises(SecretsError) as caught:
        SecretBox.from_data_dir(Path("/nonexistent"))
    assert value not in str(caught.value)


# -- one-block identifiers -----------------------------------------------------------------------


def test_block_round_trip_and_is_deterministic() -> None:
    box = SecretBox.from_key(KEY)
    block = bytes(range(16))
    sealed = box.seal_block(block, "jobs:1")
    assert sealed != block and len(sealed) == 16
    assert box.seal_block(block, "jobs:1") == sealed
    assert box.open_block(sealed, "jobs:1") == block


def test_block_depends_on_context_and_key() -> None:
    box = SecretBox.from_key(KEY)
    block = bytes(16)
    sealed = box.seal_block(block, "jobs:1")
    assert box.seal_block(block, "jobs:2") != sealed
    assert box.open_block(sealed, "jobs:2") != block
    assert SecretBox.from_key(bytes(32)).open_block(sealed, "jobs:1") != block


def test_block_is_exactly_one_block() -> None:
    box = SecretBox.from_key(KEY)
    for size in (0, 15, 17, 32):
        with pytest.raises(ValueError):
            box.seal_block(bytes(size), "jobs")
        with pytest.raises(ValueError):
            box.open_block(bytes(size), "jobs")
