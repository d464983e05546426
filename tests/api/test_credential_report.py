"""GenerateCredentialReport / GetCredentialReport through boto3 against a real server: the
states, the errors with their statuses, the same bytes until a new report, and what the report
says about real credentials (the byte-for-byte comparison with a report written by hand is in
tests/identity/test_credential_report.py, where the clock can be held still)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server
from tests.api.helpers import error_of, unique

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def _rows(content: bytes) -> dict[str, dict[str, str]]:
    return {row["user"]: row for row in csv.DictReader(io.StringIO(content.decode()))}


def test_report_not_present_until_generated_then_started_then_complete(
    server: Server, iam: Any
) -> None:
    # First in this module: the server's account has never generated a report.
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert error_of(excinfo)[:2] == ("ReportNotPresent", 410)

    iam.get_user()  # a signed request that succeeds: the admin's key has been used
    first = iam.generate_credential_report()
    assert first["State"] == "STARTED"
    assert first["Description"]
    assert iam.generate_credential_report()["State"] == "COMPLETE"

    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    content: bytes = report["Content"]
    assert content.decode().split("\n")[0] == HEADER
    rows = _rows(content)
    root = rows["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{server.account_id}:root"
    assert root["password_enabled"] == "true"  # stockade init set a root password
    assert root["password_last_used"] == "no_information"
    assert root["password_last_changed"] == "not_supported"
    assert root["password_next_rotation"] == "not_supported"
    assert root["mfa_active"] == "false"
    assert root["access_key_1_active"] == "false"
    admin = rows["admin"]
    assert admin["access_key_1_active"] == "true"
    assert admin["access_key_1_last_used_service"] == "iam"  # it signed these requests
    assert admin["access_key_1_last_used_region"] == "N/A"  # IAM has no region
    assert admin["access_key_1_last_used_date"] != "N/A"
    assert admin["password_enabled"] == "false"
    assert admin["password_last_used"] == "N/A"
    assert admin["access_key_2_active"] == "false"
    assert admin["access_key_2_last_rotated"] == "N/A"

    # Within four hours a new user changes nothing: the same bytes come back.
    iam.create_user(UserName=unique("late"))
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    again = iam.get_credential_report()
    assert again["Content"] == content
    assert again["GeneratedTime"] == report["GeneratedTime"]


def test_the_report_is_a_permission_like_any_other(server: Server, iam: Any) -> None:
    name = unique("auditor")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    auditor = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    for call in (auditor.generate_credential_report, auditor.get_credential_report):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[:2] == ("AccessDenied", 403)
    iam.put_user_policy(
        UserName=name,
        PolicyName="report",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
        '["iam:GenerateCredentialReport","iam:GetCredentialReport"],"Resource":"*"}]}',
    )
    assert auditor.generate_credential_report()["State"] in ("STARTED", "COMPLETE")
    assert auditor.get_credential_report()["Content"].startswith(b"user,arn,")
