"""Lint findings a policy author would act on: each check fires on the trap it names, and a
clean, ordinary policy gets none."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stockade.policy import PolicyKind, parse_policy
from stockade.policy.lint import Finding, Severity, lint_policy


def _lint(*statements: dict[str, Any], version: str | None = "2012-10-17") -> list[Finding]:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return lint_policy(parse_policy(json.dumps(document, indent=2), kind=PolicyKind.IDENTITY))


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_an_ordinary_policy_is_clean() -> None:
    findings = _lint(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::team-data/*",
        },
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::team-data"},
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    )
    assert findings == []


@pytest.mark.parametrize(
    ("element", "code"),
    [
        ({"NotAction": "iam:*", "Resource": "*"}, "ALLOW_WITH_NOT_ACTION"),
        ({"Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"}, "ALLOW_WITH_NOT_RESOURCE"),
    ],
)
def test_allow_with_negation_is_a_security_warning(element: dict[str, Any], code: str) -> None:
    findings = _lint({"Effect": "Allow", **element})
    assert code in _codes(findings)
    assert next(f for f in findings if f.code == code).severity is Severity.SECURITY_WARNING


def test_deny_with_not_action_is_the_documented_pattern() -> None:
    findings = _lint({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})
    assert "ALLOW_WITH_NOT_ACTION" not in _codes(findings)


def test_pass_role_on_star() -> None:
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" in _codes(
        _lint({"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"})
    )
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" not in _codes(
        _lint(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "arn:aws:iam::123456789012:role/app",
            }
        )
    )


def test_mfa_bool_where_bool_if_exists_is_meant() -> None:
    deny_bool = _lint(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    assert "MFA_BOOL_DENY_MISSES_ACCESS_KEYS" in _codes(deny_bool)
    deny_if_exists = _lint(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    assert not [c for c in _codes(deny_if_exists) if c.startswith("MFA_")]
    allow_if_exists = _lint(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    assert "MFA_BOOLIFEXISTS_ALLOW_ADMITS_ACCESS_KEYS" in _codes(allow_if_exists)


def test_set_operator_on_single_valued_key() -> None:
    findings = _lint(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"aws:username": ["alice"]}},
        }
    )
    assert "FORANYVALUE_WITH_SINGLE_VALUED_KEY" in _codes(findings)
    multivalued = _lint(
        {
            "Effect": "Deny",
            "Action": "iam:TagUser",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["admin"]}},
        }
    )
    assert not [c for c in _codes(multivalued) if c.endswith("SINGLE_VALUED_KEY")]


def test_for_all_values_in_allow_without_null_check() -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "iam:TagUser",
        "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept"]}},
    }
    assert "FORALLVALUES_WITH_ALLOW" in _codes(_lint(statement))
    statement["Condition"]["Null"] = {"aws:TagKeys": "false"}
    assert "FORALLVALUES_WITH_ALLOW" not in _codes(_lint(statement))


def test_unknown_service_and_action_are_errors() -> None:
    findings = _lint(
        {"Effect": "Allow", "Action": ["s3:GetObjekt", "nosuchservice:Do"], "Resource": "*"}
    )
    by_code = {f.code: f for f in findings}
    assert by_code["UNKNOWN_ACTION"].severity is Severity.ERROR
    assert "s3:GetObjekt" in by_code["UNKNOWN_ACTION"].message
    assert '"nosuchservice"' in by_code["UNKNOWN_SERVICE"].message


def test_action_that_cannot_take_the_resource() -> None:
    findings = _lint(
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::bucket"}
    )
    assert _codes(findings) == ["UNSUPPORTED_RESOURCE"]
    assert "only take Resource '*'" in findings[0].message
    objects_on_bucket = _lint(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}
    )
    assert _codes(objects_on_bucket) == ["UNSUPPORTED_RESOURCE"]


def test_condition_key_the_action_does_not_support() -> None:
    findings = _lint(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}},
        }
    )
    assert "UNSUPPORTED_CONDITION_KEY" in _codes(findings)
    supported = _lint(
        {
            "Effect": "Allow",
            "Action": "ec2:RunInstances",
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}},
        }
    )
    assert "UNSUPPORTED_CONDITION_KEY" not in _codes(supported)


def test_templated_and_cross_service_global_keys_raise_no_alarm() -> None:
    findings = _lint(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:Dept": "finance",
                    "aws:ResourceTag/Team": "x",
                    "ec2:SourceInstanceArn": "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
                }
            },
        }
    )
    assert [c for c in _codes(findings) if "CONDITION_KEY" in c] == []


def test_value_the_operator_cannot_compare() -> None:
    findings = _lint(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "one hour"}},
        }
    )
    assert "INVALID_CONDITION_VALUE" in _codes(findings)


def test_redundant_statement_is_named() -> None:
    findings = _lint(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*"},
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::data/reports/*"},
    )
    redundant = [f for f in findings if f.code == "REDUNDANT_STATEMENT"]
    assert len(redundant) == 1
    assert redundant[0].statement == 1
    assert "statement 0" in redundant[0].message


def test_old_version_with_variables() -> None:
    findings = _lint(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::h/${aws:username}"},
        version="2008-10-17",
    )
    assert "VARIABLES_NEED_CURRENT_VERSION" in _codes(findings)


def test_findings_point_at_the_statement_line() -> None:
    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow",
     "NotAction": "iam:*", "Resource": "*"}
  ]
}"""
    findings = lint_policy(parse_policy(text))
    finding = next(f for f in findings if f.code == "ALLOW_WITH_NOT_ACTION")
    assert (finding.statement, finding.line, finding.column) == (1, 5, 5)
