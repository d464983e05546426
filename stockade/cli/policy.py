"""`stockade policy check | test | simulate`: the engine, offline, on files."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stockade.cli import diff
from stockade.cli.server import storage_options
from stockade.cli.stored import StoredError, load_principal
from stockade.policy import (
    SIZE_LIMITS,
    Outcome,
    Policies,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    evaluate,
    explain,
    parse_policy,
)
from stockade.policy.cases import Case, CaseError, read_cases
from stockade.policy.catalogue import load_catalogue
from stockade.policy.lint import Finding, Severity, lint_policy
from stockade.policy.request import principal_context, principal_from_arn

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PRINCIPAL = "arn:aws:iam::123456789012:user/simulated-user"


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


def register(commands: Any) -> None:
    group = commands.add_parser("policy", help="check, test and simulate IAM policies offline")
    sub = group.add_subparsers(dest="policy_command", required=True, metavar="SUBCOMMAND")

    check = sub.add_parser("check", help="validate policy documents and lint them")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--kind", choices=[k.value for k in PolicyKind], default="identity")
    check.add_argument(
        "--limit",
        choices=sorted(SIZE_LIMITS),
        default="managed",
        help="the size quota to apply (default: managed, which also requires Version 2012-10-17)",
    )
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(run=_guarded(run_check))

    test = sub.add_parser("test", help="run decision cases (JSON lines) and report failures")
    test.add_argument("cases", type=Path, metavar="CASES.jsonl")
    test.add_argument("--explain", action="store_true", help="explain every decision")
    test.set_defaults(run=_guarded(run_test))

    simulate = sub.add_parser("simulate", help="decide one request and explain the decision")
    simulate.add_argument("--policy", type=Path, action="append", default=[], metavar="FILE")
    simulate.add_argument("--boundary", type=Path, metavar="FILE")
    simulate.add_argument("--session-policy", type=Path, metavar="FILE")
    simulate.add_argument("--resource-policy", type=Path, metavar="FILE")
    simulate.add_argument(
        "--scp", type=Path, action="append", metavar="FILE", help="one SCP level per flag"
    )
    simulate.add_argument("--principal", default=DEFAULT_PRINCIPAL, metavar="ARN")
    simulate.add_argument("--action", required=True)
    simulate.add_argument("--resource", default="*")
    simulate.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a request context value; repeat a multivalued key once per value",
    )
    simulate.add_argument(
        "--account",
        metavar="NAME|ID",
        help="take the principal's policies (and boundary) from this account of a Stockade "
        "store, an imported mirror or a live account, instead of --policy/--boundary files",
    )
    storage_options(simulate)
    simulate.add_argument("--format", choices=["text", "json"], default="text")
    simulate.set_defaults(run=_guarded(run_simulate))
    diff.register(sub)


def _guarded(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = command(args)
        except UsageError as exc:
            print(f"stockade policy: {exc}", file=sys.stderr)
            return EXIT_USAGE
        return code

    return run


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


# -- check -----------------------------------------------------------------------------------
def run_check(args: argparse.Namespace) -> int:
    kind = PolicyKind(args.kind)
    limit = SIZE_LIMITS[args.limit]
    catalogue = load_catalogue()
    reports: list[dict[str, Any]] = []
    failed = False
    for path in args.files:
        report: dict[str, Any] = {"file": str(path), "valid": True, "error": None, "findings": []}
        try:
            policy = parse_policy(
                _read(path),
                kind=kind,
                policy_id=str(path),
                require_current_version=args.limit == "managed",
                size_limit=limit,
            )
        except PolicyError as exc:
            report["valid"] = False
            report["error"] = {
                "code": exc.code,
                "message": exc.message,
                "line": exc.line,
                "column": exc.column,
            }
            failed = True
        else:
            findings = lint_policy(policy, catalogue)
            report["findings"] = [f.to_dict() for f in findings]
            failed = failed or any(f.severity is Severity.ERROR for f in findings)
            report["_findings"] = findings
        reports.append(report)
    if args.format == "json":
        for report in reports:
            report.pop("_findings", None)
        print(json.dumps(reports, indent=2))
    else:
        for report in reports:
            _print_check_report(report)
    return EXIT_FAILED if failed else EXIT_OK


def _print_check_report(report: dict[str, Any]) -> None:
    name = report["file"]
    error = report["error"]
    if error is not None:
        where = f":{error['line']}:{error['column']}" if error["line"] else ""
        print(f"{name}{where}: invalid: {error['code']}: {error['message']}")
        return
    findings: list[Finding] = report["_findings"]
    if not findings:
        print(f"{name}: valid, no findings")
        return
    print(f"{name}: valid, {len(findings)} finding(s)")
    for f in findings:
        print(f"{name}:{f.line}:{f.column}: {f.severity.value}: {f.code}: {f.message}")


# -- test ------------------------------------------------------------------------------------
def run_test(args: argparse.Namespace) -> int:
    passed = failed = 0
    folder = args.cases.parent

    def load(name: str) -> tuple[str, str]:
        # A case may name a policy file, relative to the cases file: test the real documents.
        path = folder / name
        try:
            return name, _read(path)
        except UsageError as exc:
            raise CaseError(str(exc)) from None

    for line, case in read_cases(_read(args.cases), load):
        if not isinstance(case, Case):
            failed += 1
            print(f"FAIL line {line}: cannot read the case: {case}")
            continue
        outcome = evaluate(case.request, case.policies)
        ok = outcome is case.expected
        passed, failed = passed + ok, failed + (not ok)
        label = case.id or f"line {line}"
        title = f" ({case.title})" if case.title else ""
        if not ok:
            print(f"FAIL {label}{title}: expected {case.expected.value}, got {outcome.value}")
        elif args.explain:
            print(f"ok   {label}{title}: {outcome.value}")
        if args.explain or not ok:
            print(_indent(explain(case.request, case.policies).render()))
    print(f"{passed} passed, {failed} failed")
    return EXIT_FAILED if failed else EXIT_OK


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# -- simulate --------------------------------------------------------------------------------
def _layer(paths: list[Path], kind: PolicyKind) -> PolicySet:
    policies = []
    for path in paths:
        try:
            policies.append(parse_policy(_read(path), kind=kind, policy_id=str(path)))
        except PolicyError as exc:
            raise UsageError(f"{path}: {exc}") from None
    return PolicySet(policies)


def _context(
    pairs: list[str], principal: Principal, known: dict[str, str] | None = None
) -> dict[str, str | list[str]]:
    """The request context: the time, the principal's keys (its ARN's, then what the store
    knows of it), then each --context KEY=VALUE, which wins."""
    catalogue = load_catalogue()
    now = datetime.now(UTC)
    context: dict[str, str | list[str]] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        **principal_context(principal),
        **(known or {}),
    }
    given: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--context wants KEY=VALUE, got {pair!r}")
        given.setdefault(key, []).append(value)
    for key, values in given.items():
        multivalued = catalogue.is_multivalued(key) or len(values) > 1
        context[key] = values if multivalued else values[0]
    return context


def run_simulate(args: argparse.Namespace) -> int:
    principal = principal_from_arn(args.principal)
    known: dict[str, str] = {}
    identity = _layer(args.policy, PolicyKind.IDENTITY)
    boundary = _layer([args.boundary], PolicyKind.BOUNDARY) if args.boundary else None
    if args.account:
        if args.policy or args.boundary:
            raise UsageError(
                "--account takes the principal's policies from the store: drop --policy and "
                "--boundary"
            )
        try:
            stored = load_principal(args, args.principal)
        except StoredError as exc:
            raise UsageError(str(exc)) from None
        principal, known = stored.principal, stored.context
        identity, boundary = stored.policies.identity, stored.policies.boundary
    context = _context(args.context, principal, known)
    request = Request(args.action, args.resource, context, principal)
    policies = Policies(
        identity=identity,
        boundary=boundary,
        session=_layer([args.session_policy], PolicyKind.SESSION) if args.session_policy else None,
        resource=(
            _layer([args.resource_policy], PolicyKind.RESOURCE) if args.resource_policy else None
        ),
        scps=tuple(_layer([p], PolicyKind.SCP) for p in args.scp) if args.scp else None,
    )
    explanation = explain(request, policies)
    if args.format == "json":
        print(json.dumps(explanation.to_dict(), indent=2))
    else:
        print(explanation.render())
    return EXIT_OK if explanation.outcome is Outcome.ALLOWED else EXIT_FAILED
