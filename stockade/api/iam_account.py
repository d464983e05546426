"""Account alias, summary and the credential report."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate
from stockade.identity import accounts, credential_report, summary


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


@operation("iam", "GenerateCredentialReport")
def generate_credential_report(call: Call) -> Result:
    authorize(call, "iam:GenerateCredentialReport", "*")
    return credential_report.generate(call.tx, call.caller.account_id)


@operation("iam", "GetCredentialReport")
def get_credential_report(call: Call) -> Result:
    authorize(call, "iam:GetCredentialReport", "*")
    return credential_report.get(call.tx, call.caller.account_id)
