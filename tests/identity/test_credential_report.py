"""The credential report, byte for byte: an account built under a clock held still, and the
report AWS's documentation says it must produce, written out by hand (IAM User Guide, "Getting
credential reports": the columns, their order and their sentinels). Also the four-hour rule."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stockade.identity import credential_report, signing_certificates
from stockade.identity.clock import frozen_at
from stockade.identity.errors import ReportExpired, ReportNotPresent
from stockade.identity.quotas import DEFAULT_QUOTAS
from tests.api.helpers import self_signed_pem
from tests.posture.world import ACCOUNT, World, new_store


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
# Written by hand from the user guide, for the account `_build` makes:
# - root: a password never used to sign in (no_information); its password change and rotation
#   not_supported; MFA; key 1 used on STS in us-east-1; no second key, no certificate (N/A).
# - alice: a password changed at creation, next rotation 90 days on (MaxPasswordAge 90), a
#   sign-in; MFA; one key used on S3 in eu-west-1.
# - bob: no password (N/A for all three password dates); key 1 inactive and never used; key 2
#   used on IAM, a global service (region N/A); one active signing certificate.
# - "c,harlie": a name with a comma (IAM allows it), quoted as CSV quotes it; no credentials.
EXPECTED = "\n".join(
    [
        HEADER,
        "<root_account>,arn:aws:iam::123456789012:root,2026-01-05T10:00:00+00:00,true,"
        "no_information,not_supported,not_supported,true,true,2026-01-09T00:00:00+00:00,"
        "2026-01-09T01:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "alice,arn:aws:iam::123456789012:user/alice,2026-01-06T10:00:00+00:00,true,"
        "2026-01-07T09:30:00+00:00,2026-01-06T10:00:00+00:00,2026-04-06T10:00:00+00:00,true,"
        "true,2026-01-06T10:00:00+00:00,2026-01-06T12:00:00+00:00,eu-west-1,s3,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "bob,arn:aws:iam::123456789012:user/bob,2026-01-08T08:15:30+00:00,false,N/A,N/A,N/A,"
        "false,false,2026-01-08T08:15:30+00:00,N/A,N/A,N/A,true,2026-01-08T09:15:30+00:00,"
        "2026-01-08T09:20:00+00:00,N/A,iam,true,2026-01-08T10:15:30+00:00,false,N/A",
        '"c,harlie","arn:aws:iam::123456789012:user/c,harlie",2026-01-08T11:15:30+00:00,false,'
        "N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ]
).encode()


def _build(tmp_path: Path) -> World:
    world = World(new_store(tmp_path), at("2026-01-05T10:00:00"))
    world.root_password()
    world.password_policy(MinimumPasswordLength=8, MaxPasswordAge=90)

    world.at = at("2026-01-06T10:00:00")
    world.user("alice", password=True)
    alice_key = world.key("alice")
    world.mfa("alice")
    world.at = at("2026-01-06T12:00:00")
    world.use_key(alice_key, "s3", "eu-west-1")
    world.at = at("2026-01-07T09:30:00")
    world.sign_in("alice")

    world.at = at("2026-01-08T08:15:30")
    world.user("bob")
    first = world.key("bob")
    world.deactivate_key("bob", first)
    world.at = at("2026-01-08T09:15:30")
    second = world.key("bob")
    world.at = at("2026-01-08T09:20:00")
    world.use_key(second, "iam", "us-east-1")
    world.at = at("2026-01-08T10:15:30")
    with world.tx() as tx:
        signing_certificates.upload(
            tx, ACCOUNT, world.user_id(tx, "bob"), "bob", self_signed_pem(), DEFAULT_QUOTAS
        )
    world.at = at("2026-01-08T11:15:30")
    world.user("c,harlie")

    world.at = at("2026-01-09T00:00:00")
    root_key = world.root_key()
    world.at = at("2026-01-09T01:00:00")
    world.use_key(root_key, "sts", "us-east-1")
    world.at = at("2026-01-09T02:00:00")
    world.mfa(None)
    world.at = at("2026-01-10T00:00:00")
    return world


def test_the_report_is_byte_for_byte_what_the_documentation_describes(tmp_path: Path) -> None:
    world = _build(tmp_path)
    with world.tx() as tx:
        assert credential_report.generate(tx, ACCOUNT)["State"] == "STARTED"
        report = credential_report.get(tx, ACCOUNT)
    assert report["Content"] == EXPECTED
    assert report["GeneratedTime"] == at("2026-01-10T00:00:00")
    assert report["ReportFormat"] == "text/csv"


def test_a_report_is_kept_four_hours_then_expires_and_is_made_anew(tmp_path: Path) -> None:
    world = _build(tmp_path)
    with world.tx() as tx, pytest.raises(ReportNotPresent):
        credential_report.get(tx, ACCOUNT)
    with world.tx() as tx:
        credential_report.generate(tx, ACCOUNT)
    world.later(hours=3, minutes=59, seconds=59)
    world.user("dave")
    with world.tx() as tx:
        assert credential_report.generate(tx, ACCOUNT) == {"State": "COMPLETE"}
        assert credential_report.get(tx, ACCOUNT)["Content"] == EXPECTED  # dave is not in it
    world.later(seconds=1)
    with world.tx() as tx, pytest.raises(ReportExpired):
        credential_report.get(tx, ACCOUNT)
    with world.tx() as tx:
        assert credential_report.generate(tx, ACCOUNT)["State"] == "STARTED"
        fresh = credential_report.get(tx, ACCOUNT)
    assert fresh["GeneratedTime"] == at("2026-01-10T04:00:00")
    assert fresh["Content"].startswith(EXPECTED + b"\ndave,arn:aws:iam::123456789012:user/dave,")


def test_sign_ins_are_recorded_once_per_five_minutes(tmp_path: Path) -> None:
    world = _build(tmp_path)
    world.sign_in(None)
    first = world.at
    world.later(minutes=4)
    world.sign_in(None)
    with frozen_at(world.at), world.store.read() as tx:
        rows = credential_report.report_rows(tx, ACCOUNT)
    assert rows[1][4] == first.isoformat()  # root's password_last_used: the first of the span
    world.later(minutes=1)
    world.sign_in(None)
    with world.store.read() as tx:
        rows = credential_report.report_rows(tx, ACCOUNT)
    assert rows[1][4] == world.at.isoformat()


def test_the_content_decodes_as_aws_clients_expect() -> None:
    # GetCredentialReport's Content is a blob: base64 on the wire, the CSV's bytes once decoded.
    assert base64.b64decode(base64.b64encode(EXPECTED)) == EXPECTED
