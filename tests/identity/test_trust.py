"""Who may assume a role: the trust policy and the caller's own policies, as AWS documents."""

from __future__ import annotations

import json
from typing import Any

from stockade.identity.trust import denied_action
from stockade.policy import Policies, PolicyKind, PolicySet, parse_policy
from stockade.policy.request import Principal, PrincipalType

ACCOUNT = "111122223333"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deploy"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", PrincipalType.USER)
SESSION = Principal(
    f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/run-1",
    PrincipalType.ASSUMED_ROLE,
    f"arn:aws:iam::{ACCOUNT}:role/ci",
)
OUTSIDER = Principal("arn:aws:iam::444455556666:user/mallory", PrincipalType.USER)
ASSUME = ["sts:AssumeRole"]


def _role(*principals: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"trust_policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def _set(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> PolicySet:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySet([parse_policy(document, kind=kind, policy_id="test")])


ALLOW_ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}
NOTHING = Policies()


def test_naming_the_user_is_enough_without_an_identity_policy() -> None:
    assert denied_action(ROLE_ARN, _role(USER.arn), USER, {}, ASSUME, NOTHING) is None


def test_naming_the_account_needs_the_identity_policy() -> None:
    role = _role(ACCOUNT)
    assert denied_action(ROLE_ARN, role, USER, {}, ASSUME, NOTHING) == "sts:AssumeRole"
    allowed = Policies(identity=_set(ALLOW_ASSUME))
    assert denied_action(ROLE_ARN, role, USER, {}, ASSUME, allowed) is None


def test_identity_policy_alone_does_not_open_a_role() -> None:
    role = _role(f"arn:aws:iam::{ACCOUNT}:user/bob")
    allowed = Policies(identity=_set(ALLOW_ASSUME))
    assert denied_action(ROLE_ARN, role, USER, {}, ASSUME, allowed) == "sts:AssumeRole"


def test_an_explicit_deny_in_identity_policy_wins_over_a_named_user() -> None:
    denied = Policies(identity=_set({**ALLOW_ASSUME, "Effect": "Deny"}))
    assert denied_action(ROLE_ARN, _role(USER.arn), USER, {}, ASSUME, denied) == "sts:AssumeRole"


def test_session_arn_is_enough_role_arn_still_needs_the_boundary() -> None:
    boundary_without_sts = Policies(
        identity=PolicySet(),
        boundary=_set({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )
    by_session = _role(SESSION.arn)
    assert denied_action(ROLE_ARN, by_session, SESSION, {}, ASSUME, boundary_without_sts) is None
    by_role = _role(str(SESSION.role_arn))
    assert (
        denied_action(ROLE_ARN, by_role, SESSION, {}, ASSUME, boundary_without_sts)
        == "sts:AssumeRole"
    )
    assert denied_action(ROLE_ARN, by_role, SESSION, {}, ASSUME, Policies()) is None


def test_root_user_needs_only_the_trust_policy() -> None:
    root = Principal(f"arn:aws:iam::{ACCOUNT}:root", PrincipalType.ROOT)
    assert denied_action(ROLE_ARN, _role(ACCOUNT), root, {}, ASSUME, None) is None
    assert denied_action(ROLE_ARN, _role(USER.arn), root, {}, ASSUME, None) == "sts:AssumeRole"


def test_across_accounts_both_sides_must_allow() -> None:
    role = _role(OUTSIDER.arn)
    assert denied_action(ROLE_ARN, role, OUTSIDER, {}, ASSUME, NOTHING) == "sts:AssumeRole"
    allowed = Policies(identity=_set(ALLOW_ASSUME))
    assert denied_action(ROLE_ARN, role, OUTSIDER, {}, ASSUME, allowed) is None


def test_conditions_see_the_request_keys_and_every_needed_action_is_checked() -> None:
    role = _role(USER.arn, condition={"StringEquals": {"sts:ExternalId": "x-1"}})
    assert denied_action(ROLE_ARN, role, USER, {}, ASSUME, NOTHING) == "sts:AssumeRole"
    context = {"sts:ExternalId": "x-1"}
    assert denied_action(ROLE_ARN, role, USER, context, ASSUME, NOTHING) is None
    tagging = [*ASSUME, "sts:TagSession"]
    assert denied_action(ROLE_ARN, role, USER, context, tagging, NOTHING) == "sts:TagSession"
