"""Job ids of service last accessed reports: the job comes back from its id, for this account
only; ids not made by the server hold nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockade.auth import SecretBox
from stockade.identity import access_jobs
from stockade.identity.access_jobs import Job
from stockade.identity.aws_policies import aws_managed_policies

BOX = SecretBox.from_key(bytes(range(32)))
ACCOUNT = "123456789012"
CREATED = datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC)
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PREFIXES = {"user": "AIDA", "group": "AGPA", "role": "AROA", "policy": "ANPA"}


@given(
    kind=st.sampled_from(sorted(PREFIXES)),
    suffix=st.text(alphabet=BASE32, min_size=17, max_size=17),
    granularity=st.sampled_from(access_jobs.GRANULARITIES),
    seconds=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_an_entitys_job_comes_back_from_its_id(
    kind: str, suffix: str, granularity: str, seconds: int
) -> None:
    job = Job(kind, PREFIXES[kind] + suffix, granularity, datetime.fromtimestamp(seconds, UTC))
    job_id = access_jobs.encode(BOX, ACCOUNT, job)
    assert job_id is not None and len(job_id) == 36 and str(uuid.UUID(job_id)) == job_id
    assert access_jobs.decode(BOX, ACCOUNT, job_id) == job


def test_every_aws_managed_policy_has_a_job_id() -> None:
    for arn in aws_managed_policies():
        job = Job("aws-policy", arn, "SERVICE_LEVEL", CREATED)
        job_id = access_jobs.encode(BOX, ACCOUNT, job)
        assert job_id is not None
        assert access_jobs.decode(BOX, ACCOUNT, job_id) == job


def test_another_accounts_or_a_made_up_id_holds_no_job() -> None:
    job = Job("user", "AIDA" + "A" * 17, "SERVICE_LEVEL", CREATED)
    job_id = access_jobs.encode(BOX, ACCOUNT, job)
    assert job_id is not None
    assert access_jobs.decode(BOX, "210987654321", job_id) is None
    made_up = [str(uuid.UUID(int=n * 0x1234567890ABCDEF1)) for n in range(200)]
    assert [access_jobs.decode(BOX, ACCOUNT, i) for i in made_up] == [None] * 200
    assert access_jobs.decode(BOX, ACCOUNT, "not a uuid") is None


@pytest.mark.parametrize("subject", ["AIDA" + "a" * 17, "AIDA" + "A" * 16, "AGPA" + "A" * 17])
def test_ids_stockade_cannot_carry_get_no_job_id(subject: str) -> None:
    assert access_jobs.encode(BOX, ACCOUNT, Job("user", subject, "SERVICE_LEVEL", CREATED)) is None
