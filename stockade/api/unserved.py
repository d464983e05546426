"""What Stockade answers a request signed for a service it does not serve.

Stockade serves IAM and STS. Auditing tools ask Organizations and EC2 about the account at start
and carry on when those refuse, so every other service gets an AWS error rather than a failure.
Organizations' read operations get the answer AWS gives a standalone account, since that is what
a Stockade account is: no organization holds it. Everything else is NotImplemented.
"""

from __future__ import annotations

from stockade.protocol import AWSError

_ORGANIZATIONS_READS = ("Describe", "List")


def unserved(service: str, operation: str | None) -> AWSError:
    if service == "organizations" and operation and operation.startswith(_ORGANIZATIONS_READS):
        return AWSError(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
            400,
        )
    return AWSError(
        "NotImplemented", f"Stockade serves IAM and STS only; it does not serve {service}.", 501
    )
