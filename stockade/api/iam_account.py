"""Account alias and summary."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate
from stockade.identity import accounts, summary
from stockade.protocol import AWSError


@operation("iam", "CreateAccountAlias")
def create_alias(call: Call) -> Result:
    authorize(call, "iam:CreateAccountAlias", "*")
    accounts.create_alias(call.tx, call.caller.account_id, call.params["AccountAlias"])
    return None


@operation("iam", "DeleteAccountAlias")
def delete_alias(call: Call) -> Result:
    authorize(call, "iam:DeleteAccountAlias", "*")
    accounts.delete_alias(call.tx, call.caller.account_id, call.params["AccountAlias"])
    return None


@operation("iam", "ListAccountAliases")
def list_aliases(call: Call) -> Result:
    authorize(call, "iam:ListAccountAliases", "*")
    return paginate(call, accounts.list_aliases(call.tx, call.caller.account_id), "AccountAliases")


@operation("iam", "GetAccountSummary")
def get_account_summary(call: Call) -> Result:
    authorize(call, "iam:GetAccountSummary", "*")
    return {
        "SummaryMap": summary.account_summary(call.tx, call.caller.account_id, call.services.quotas)
    }


@operation("iam", "ListOrganizationsFeatures", writes=False)
def list_organizations_features(call: Call) -> Result:
    # Centralized root access is an Organizations feature; a Stockade account stands alone, so
    # the answer is the one AWS gives an account that no organization holds.
    authorize(call, "iam:ListOrganizationsFeatures", "*")
    raise AWSError(
        "OrganizationNotFoundException", "The account is not a member of an organization.", 400
    )
