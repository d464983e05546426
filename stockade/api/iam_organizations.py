"""IAM's view of AWS Organizations features (centralized root access)."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation
from stockade.protocol import AWSError


@operation("iam", "ListOrganizationsFeatures", writes=False)
def list_organizations_features(call: Call) -> Result:
    # Centralized root access is an Organizations feature; a Stockade account stands alone, so
    # the answer is the one AWS gives an account that no organization holds.
    authorize(call, "iam:ListOrganizationsFeatures", "*")
    raise AWSError(
        "OrganizationNotFoundException", "The account is not a member of an organization.", 400
    )
