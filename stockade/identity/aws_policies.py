"""AWS managed policies, shipped inside the package (data/PROVENANCE.md): never modifiable, the
same in every account, so they live in memory and are attached by ARN."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from stockade.policy import Policy, PolicyKind, parse_policy


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    name: str
    arn: str
    path: str
    description: str | None
    default_version: str
    created_at: datetime
    updated_at: datetime
    document: str

    @property
    def policy_id(self) -> str:
        # AWS gives each a stable ANPA… id; derive a stable one from the ARN.
        return "ANPA" + format(abs(hash_arn(self.arn)), "X").rjust(17, "0")[:17]


def hash_arn(arn: str) -> int:
    value = 0
    for char in arn:
        value = (value * 131 + ord(char)) % (36**17)
    return value


@cache
def aws_managed_policies() -> dict[str, AwsManagedPolicy]:
    """Every AWS managed policy by ARN, in ARN order."""
    raw = resources.files("stockade.identity").joinpath("data/aws-managed-policies.json.gz")
    records: list[dict[str, Any]] = json.loads(gzip.decompress(raw.read_bytes()))
    policies = {}
    for record in sorted(records, key=lambda r: r["Arn"]):
        policies[record["Arn"]] = AwsManagedPolicy(
            name=record["PolicyName"],
            arn=record["Arn"],
            path=record["Path"],
            description=record.get("Description"),
            default_version=record["DefaultVersionId"],
            created_at=datetime.fromisoformat(record["CreateDate"]),
            updated_at=datetime.fromisoformat(record["UpdateDate"]),
            document=json.dumps(record["PolicyDocument"], indent=4),
        )
    return policies


@cache
def parsed_aws_policy(arn: str) -> Policy:
    policy = aws_managed_policies()[arn]
    return parse_policy(policy.document, kind=PolicyKind.IDENTITY, policy_id=arn)
