"""AWS-shaped identifiers."""

from __future__ import annotations

import re
import uuid

import pytest

from stockade.auth import (
    new_access_key_id,
    new_account_id,
    new_request_id,
    new_secret_access_key,
    new_unique_id,
)

SAMPLES = 200


@pytest.mark.parametrize("prefix", ["AIDA", "AGPA", "AROA", "ANPA", "AIPA", "ASCA", "ANVA"])
def test_unique_ids(prefix: str) -> None:
    ids = {new_unique_id(prefix) for _ in range(SAMPLES)}
    assert len(ids) == SAMPLES
    assert all(re.fullmatch(prefix + r"[A-Z2-7]{17}", i) for i in ids)


@pytest.mark.parametrize("prefix", ["AKIA", "ASIA"])
def test_access_key_ids(prefix: str) -> None:
    ids = {new_access_key_id(prefix) for _ in range(SAMPLES)}
    assert len(ids) == SAMPLES
    assert all(re.fullmatch(prefix + r"[A-Z2-7]{16}", i) for i in ids)
    assert new_access_key_id().startswith("AKIA")


@pytest.mark.parametrize("prefix", ["", "akia", "AKI", "AKIAX", "AK1A"])
def test_bad_prefix(prefix: str) -> None:
    with pytest.raises(ValueError):
        new_unique_id(prefix)
    with pytest.raises(ValueError):
        new_access_key_id(prefix)


def test_secret_access_keys() -> None:
    keys = {new_secret_access_key() for _ in range(SAMPLES)}
    assert len(keys) == SAMPLES
    assert all(re.fullmatch(r"[A-Za-z0-9/+]{40}", k) for k in keys)


def test_account_ids() -> None:
    ids = [new_account_id() for _ in range(SAMPLES)]
    assert all(re.fullmatch(r"[1-9][0-9]{11}", i) for i in ids)
    assert len(set(ids)) == SAMPLES


def test_request_ids() -> None:
    request_id = new_request_id()
    assert uuid.UUID(request_id).version == 4 and str(uuid.UUID(request_id)) == request_id
