"""Parse and validate a policy document the way IAM does when it is written.

The checks run in AWS's order so that a document with several faults gets the message AWS gives:
syntax, version, legacy parsing (Effect case, dates, resource shapes), Sid uniqueness, actions
present, resource format, action vendors, resources present, then the rules of the policy kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from stockade.policy.errors import PolicyError
from stockade.policy.jsondoc import JSONSyntaxError, Path, Positions, load_with_positions
from stockade.policy.model import (
    CURRENT_VERSION,
    LEGACY_VERSION,
    Condition,
    Effect,
    Policy,
    PolicyKind,
    Statement,
)
from stockade.policy.operators import parse_operator
from stockade.policy.values import is_policy_date

SYNTAX_ERROR = "Syntax errors in policy."
VERSION_ERROR = "Policy document must be version 2012-10-17 or greater."
LEGACY_ERROR = "The policy failed legacy parsing"

# Size quotas in characters, white space not counted (IAM and STS quotas page).
SIZE_LIMITS: dict[str, int] = {
    "managed": 6144,
    "user-inline": 2048,
    "group-inline": 5120,
    "role-inline": 10240,
    "trust": 2048,
    "session": 2048,
    "scp": 5120,
}

_TOP_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
# AWS's partitions, plus `stockade`: the one Stockade gives the resources of a team's own
# services (`arn:stockade:invoices:::invoice/42`, decided through Stockade.Authorize).
_PARTITIONS = frozenset(
    {
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-eusc",
        "stockade",
    }
)
_VENDOR = re.compile(r"[A-Za-z0-9\-.]+")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_IAM_RESOURCE_PREFIXES = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
_TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
        "sts:*",
    }
)


def count_policy_characters(text: str) -> int:
    """The size IAM measures a document by: characters that are not white space."""
    return sum(1 for char in text if not char.isspace())


def parse_policy(
    document: str | bytes | Mapping[str, Any],
    *,
    kind: PolicyKind = PolicyKind.IDENTITY,
    policy_id: str = "policy",
    require_current_version: bool = False,
    size_limit: int | None = None,
) -> Policy:
    """Validate `document` as IAM does on write and return its parsed form.

    `require_current_version` applies CreatePolicy's rule for managed policies; `size_limit` the
    quota of where the document is stored (see SIZE_LIMITS). Raises PolicyError, and only that.
    """
    text = _as_text(document)
    if size_limit is not None and count_policy_characters(text) > size_limit:
        raise PolicyError(f"Cannot exceed quota for PolicySize: {size_limit}", code="LimitExceeded")
    try:
        root, positions = load_with_positions(text)
    except JSONSyntaxError as exc:
        raise PolicyError(SYNTAX_ERROR + f" {exc}.", line=exc.line, column=exc.column) from None
    return _Validator(root, positions, kind, policy_id, text).run(require_current_version)


def _as_text(document: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(document, Mapping):
        try:
            return json.dumps(document, indent=2)
        except (TypeError, ValueError, RecursionError):
            raise PolicyError(
                SYNTAX_ERROR + " The document holds values JSON cannot carry."
            ) from None
    if isinstance(document, bytes | bytearray):
        try:
            return bytes(document).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PolicyError(SYNTAX_ERROR + " The document is not UTF-8 text.") from None
    if isinstance(document, str):
        return document
    raise PolicyError(SYNTAX_ERROR + " A policy document must be JSON text.")


class _Validator:
    def __init__(
        self, root: Any, positions: Positions, kind: PolicyKind, policy_id: str, text: str
    ) -> None:
        self.root = root
        self.positions = positions
        self.kind = kind
        self.policy_id = policy_id
        self.text = text
        self.statements: list[tuple[Path, dict[str, Any]]] = []

    def error(self, message: str, path: Path = ()) -> PolicyError:
        line, column = self.positions.get(path, (None, None))
        return PolicyError(message, line=line, column=column)

    def run(self, require_current_version: bool) -> Policy:
        self.check_syntax()
        if require_current_version and self.root.get("Version") != CURRENT_VERSION:
            raise self.error(VERSION_ERROR, ("Version",))
        self.check_legacy_parsing()
        resource_error = self.first_resource_format_error()
        self.check_sid_uniqueness()
        for path, statement in self.statements:
            if not _has_entries(statement, "Action", "NotAction"):
                raise self.error("Policy statement must contain actions.", path)
        if resource_error is not None:
            raise resource_error
        for key in ("Action", "NotAction"):
            for path, statement in self.statements:
                for action in _strings(statement.get(key)):
                    self.check_action_vendor(action, (*path, key))
        self.check_kind_rules()
        return self.build()

    # -- stage 1: syntax ---------------------------------------------------------------------
    def check_syntax(self) -> None:
        root = self.root
        if not isinstance(root, dict):
            raise self.error(SYNTAX_ERROR)
        for element in root:
            if element not in _TOP_ELEMENTS:
                raise self.error(SYNTAX_ERROR, (element,))
        if "Version" in root and root["Version"] not in (CURRENT_VERSION, LEGACY_VERSION):
            raise self.error(SYNTAX_ERROR, ("Version",))
        if "Id" in root and not isinstance(root["Id"], str):
            raise self.error(SYNTAX_ERROR, ("Id",))
        body = root.get("Statement")
        if isinstance(body, dict):
            self.statements = [(("Statement",), body)]
        elif isinstance(body, list) and body:
            self.statements = [(("Statement", i), s) for i, s in enumerate(body)]
        else:
            raise self.error(SYNTAX_ERROR, ("Statement",))
        for path, statement in self.statements:
            self.check_statement_syntax(path, statement)

    def check_statement_syntax(self, path: Path, statement: Any) -> None:
        if not isinstance(statement, dict):
            raise self.error(SYNTAX_ERROR, path)
        for element in statement:
            if element not in _STATEMENT_ELEMENTS:
                raise self.error(SYNTAX_ERROR, (*path, element))
        for one, other in (("Resource", "NotResource"), ("Action", "NotAction")):
            if one in statement and other in statement:
                raise self.error(SYNTAX_ERROR, (*path, other))
        if "Principal" in statement and "NotPrincipal" in statement:
            raise self.error(SYNTAX_ERROR, (*path, "NotPrincipal"))
        effect = statement.get("Effect")
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            raise self.error(SYNTAX_ERROR, (*path, "Effect") if "Effect" in statement else path)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in statement and not _is_string_list(statement[key]):
                raise self.error(SYNTAX_ERROR, (*path, key))
        for key in ("Principal", "NotPrincipal"):
            if key in statement and not _is_principal(statement[key]):
                raise self.error(SYNTAX_ERROR, (*path, key))
        if "Condition" in statement:
            self.check_condition_syntax((*path, "Condition"), statement["Condition"])
        if "Sid" in statement and not isinstance(statement["Sid"], str):
            raise self.error(SYNTAX_ERROR, (*path, "Sid"))

    def check_condition_syntax(self, path: Path, block: Any) -> None:
        if not isinstance(block, dict):
            raise self.error(SYNTAX_ERROR, path)
        for operator, clause in block.items():
            if not isinstance(clause, dict):
                raise self.error(SYNTAX_ERROR, (*path, operator))
            for key, value in clause.items():
                if not _is_condition_value(value):
                    raise self.error(SYNTAX_ERROR, (*path, operator, key))
            # IAM ignores an unknown operator only when it holds nothing.
            if parse_operator(operator) is None and clause:
                raise self.error(SYNTAX_ERROR, (*path, operator))

    # -- stage 3: legacy parsing -------------------------------------------------------------
    def check_legacy_parsing(self) -> None:
        for path, statement in self.statements:
            if statement["Effect"] not in (Effect.ALLOW, Effect.DENY):
                raise self.error(LEGACY_ERROR, (*path, "Effect"))
            for operator, clause in statement.get("Condition", {}).items():
                parsed = parse_operator(operator)
                if parsed is None or parsed.family != "Date":
                    continue
                for key, value in clause.items():
                    for item in _condition_strings(value):
                        if not is_policy_date(item):
                            raise self.error(LEGACY_ERROR, (*path, "Condition", operator, key))

    def first_resource_format_error(self) -> PolicyError | None:
        """Check resource shapes: a bad format is reported later, a legacy fault now."""
        reported: PolicyError | None = None
        for path, statement in self.statements:
            for key in ("Resource", "NotResource"):
                if key not in statement:
                    continue
                # IAM reports the last fault in reverse-sorted order, not the first one written.
                for resource in sorted(_strings(statement[key]), reverse=True):
                    message = _resource_format_error(resource)
                    if message is not None:
                        reported = self.error(message, (*path, key))
                if reported is None:
                    for resource in _strings(statement[key]):
                        if _fails_legacy_resource_parsing(resource):
                            raise self.error(LEGACY_ERROR, (*path, key))
        return reported

    # -- stages 4-8 --------------------------------------------------------------------------
    def check_sid_uniqueness(self) -> None:
        seen: set[str] = set()
        for path, statement in self.statements:
            sid = statement.get("Sid")
            if sid:
                if sid in seen:
                    raise self.error(
                        "Statement IDs (SID) in a single policy must be unique.", (*path, "Sid")
                    )
                seen.add(sid)

    def check_action_vendor(self, action: str, path: Path) -> None:
        parts = action.split(":")
        if len(parts) == 1 and action != "*":
            raise self.error(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", path
            )
        if len(parts) > 2:
            raise self.error("Actions/Condition can contain only one colon.", path)
        vendor = parts[0]
        if vendor != "*" and not _VENDOR.fullmatch(vendor):
            raise self.error(f"Vendor {vendor} is not valid", path)

    def check_kind_rules(self) -> None:
        kind = self.kind
        for path, statement in self.statements:
            if kind is not PolicyKind.TRUST and not _has_entries(
                statement, "Resource", "NotResource"
            ):
                raise self.error("Policy statement must contain resources.", path)
            has_principal = "Principal" in statement or "NotPrincipal" in statement
            if kind.takes_principal and not has_principal:
                raise self.error("Missing required field Principal", path)
            if not kind.takes_principal and has_principal:
                raise self.error("Policy document should not specify a principal.", path)
            if kind is PolicyKind.TRUST:
                self.check_trust_statement(path, statement)

    def check_trust_statement(self, path: Path, statement: dict[str, Any]) -> None:
        if "NotPrincipal" in statement:
            raise self.error("Has prohibited field NotPrincipal.", (*path, "NotPrincipal"))
        for key in ("Resource", "NotResource"):
            if key in statement:
                raise self.error(f"Has prohibited field {key}.", (*path, key))
        for action in _strings(statement.get("Action")):
            if action.lower() not in _TRUST_ACTIONS:
                raise self.error(
                    "Trust Policy statement actions can only be sts:AssumeRole, "
                    "sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
                    (*path, "Action"),
                )

    # -- the parsed form ---------------------------------------------------------------------
    def build(self) -> Policy:
        statements = tuple(
            self.build_statement(index, path, body)
            for index, (path, body) in enumerate(self.statements)
        )
        return Policy(
            policy_id=self.policy_id,
            kind=self.kind,
            version=self.root.get("Version"),
            id=self.root.get("Id"),
            statements=statements,
            text=self.text,
        )

    def build_statement(self, index: int, path: Path, body: dict[str, Any]) -> Statement:
        line, column = self.positions.get(path, (1, 1))
        conditions: list[Condition] = []
        for operator, clause in body.get("Condition", {}).items():
            for key, value in clause.items():
                where = self.positions.get((*path, "Condition", operator, key), (line, column))
                values = tuple(_condition_strings(value))
                conditions.append(Condition(operator, key, values, *where))

        def listed(key: str) -> tuple[str, ...] | None:
            return tuple(_strings(body[key])) if key in body else None

        return Statement(
            index=index,
            sid=body.get("Sid") or None,
            effect=Effect(body["Effect"]),
            actions=listed("Action"),
            not_actions=listed("NotAction"),
            resources=listed("Resource"),
            not_resources=listed("NotResource"),
            principals=_principal_pairs(body["Principal"]) if "Principal" in body else None,
            not_principals=(
                _principal_pairs(body["NotPrincipal"]) if "NotPrincipal" in body else None
            ),
            conditions=tuple(conditions),
            line=line,
            column=column,
        )


# -- helpers ---------------------------------------------------------------------------------
def _is_string_list(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(item is None or isinstance(item, str) for item in value)


def _strings(value: Any) -> list[str]:
    """Action/Resource values as a list; IAM skips null entries of a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [item for item in value if item]


def _has_entries(statement: dict[str, Any], *keys: str) -> bool:
    return any(key in statement and _strings(statement[key]) for key in keys)


def _is_scalar_condition_value(value: Any) -> bool:
    return isinstance(value, str | bool | int | float)


def _is_condition_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_scalar_condition_value(item) for item in value)
    return _is_scalar_condition_value(value)


def _condition_strings(value: Any) -> list[str]:
    """Condition values as strings: JSON true/false/numbers are read as their text."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        else:
            out.append(str(item))
    return out


def _is_principal(value: Any) -> bool:
    if value == "*":
        return True
    if not isinstance(value, dict) or not value:
        return False
    for principal_type, members in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            return False
        if isinstance(members, list):
            if not members or not all(isinstance(m, str) for m in members):
                return False
        elif not isinstance(members, str):
            return False
    return True


def _principal_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    pairs = []
    for principal_type, members in value.items():
        for member in members if isinstance(members, list) else [members]:
            if principal_type == "AWS" and _ACCOUNT_ID.fullmatch(member):
                member = f"arn:aws:iam::{member}:root"
            pairs.append((principal_type, member))
    return tuple(pairs)


def _resource_format_error(resource: str) -> str | None:
    if resource == "*":
        return None
    if ":" not in resource:
        return f'Resource {resource} must be in ARN format or "*".'
    parts = resource.split(":")
    partition = parts[1]
    if partition != "*" and partition not in _PARTITIONS:
        rest = parts[2:] or [""]
        service = rest[0] if rest[0] != "" or len(rest) > 1 else "*"
        region = rest[1] if len(rest) > 1 else "*"
        account = rest[2] if len(rest) > 2 else "*"
        tail = ":".join(rest[3:]) if len(rest) > 3 else "*"
        return (
            f'Partition "{partition}" is not valid for resource '
            f'"arn:{partition}:{service}:{region}:{account}:{tail}".'
        )
    if len(parts) < 3:
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service = parts[2]
    region = parts[3] if len(parts) > 3 else ""
    resource_id = ":".join(parts[5:]) if len(parts) > 5 else ""
    if region and service == "iam":
        return f"IAM resource {resource} cannot contain region information."
    if region and service == "s3" and not resource_id.startswith("accesspoint/"):
        return f"Resource {resource} can not contain region information."
    if (
        service == "iam"
        and resource_id != "*"
        and not resource_id.startswith(_IAM_RESOURCE_PREFIXES)
    ):
        return (
            'IAM resource path must either be "*" or start with '
            + ", ".join(_IAM_RESOURCE_PREFIXES)
            + "."
        )
    return None


def _fails_legacy_resource_parsing(resource: str) -> bool:
    if resource == "*":
        return False
    parts = resource.split(":")
    if len(parts) < 6 and "::" in resource:
        return True
    return len(parts) > 2 and parts[2] == ""
