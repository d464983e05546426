"""The tags of the resource a request acts on, for policies' conditions."""

from __future__ import annotations

from typing import Any

from stockade.api.context import Call
from stockade.api.registry import resource_tag_context
from stockade.identity import tags


def aws_resource_tags(call: Call, resource_arn: str) -> dict[str, Any]:
    """aws:ResourceTag/* alone: IAM's own iam:ResourceTag/* applies to users and roles only
    (Service Authorization Reference), not to instance profiles, providers or certificates. A
    resource that does not exist has no tags."""
    context = resource_tag_context(tags.list_tags(call.tx, resource_arn))
    return {key: value for key, value in context.items() if key.startswith("aws:")}
