"""The shared conformance files, copied under tests/policy/data so the suite needs neither network
nor ../shared: every decision case and every CreatePolicy validation case must pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stockade.policy import PolicyError, PolicyKind, evaluate, explain, parse_policy
from stockade.policy.cases import Case, read_cases

DATA = Path(__file__).parent / "data"


def _decision_cases() -> list[Case]:
    cases = []
    for line, case in read_cases((DATA / "policy-cases.jsonl").read_text()):
        assert isinstance(case, Case), f"line {line}: {case}"
        cases.append(case)
    return cases


def _validation_cases() -> list[dict[str, Any]]:
    lines = (DATA / "policy-validation.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


DECISION_CASES = _decision_cases()
VALIDATION_CASES = _validation_cases()


def test_all_published_cases_are_present() -> None:
    assert len(DECISION_CASES) == 64
    assert len(VALIDATION_CASES) == 132


@pytest.mark.parametrize("case", DECISION_CASES, ids=lambda case: case.id)
def test_decision(case: Case) -> None:
    outcome = evaluate(case.request, case.policies)
    explanation = explain(case.request, case.policies)
    assert outcome is case.expected, f"{case.title}\n{explanation.render()}"
    assert explanation.outcome is outcome


@pytest.mark.parametrize("case", VALIDATION_CASES, ids=lambda case: case["id"])
def test_create_policy_validation(case: dict[str, Any]) -> None:
    expected = case["expected"]
    document = case["policy_document"]
    if expected.get("ok"):
        policy = parse_policy(document, kind=PolicyKind.IDENTITY, require_current_version=True)
        assert policy.statements
        return
    with pytest.raises(PolicyError) as raised:
        parse_policy(document, kind=PolicyKind.IDENTITY, require_current_version=True)
    assert raised.value.code == expected["error_code"]
    # Stockade may add where the syntax error is; AWS's sentence comes first, unchanged.
    assert raised.value.message.startswith(expected["message"])
    if expected["message"] != "Syntax errors in policy.":
        assert raised.value.message == expected["message"]
