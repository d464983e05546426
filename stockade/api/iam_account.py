"""Account alias and summary."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate
from stockade.identity import accounts, summary


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
