"""GetAccountAuthorizationDetails: the account's IAM configuration in one paginated snapshot."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate
from stockade.identity import details


@operation("iam", "GetAccountAuthorizationDetails")
def get_account_authorization_details(call: Call) -> Result:
    authorize(call, "iam:GetAccountAuthorizationDetails", "*")
    account = call.caller.account_id
    found = details.entries(call.tx, account, call.params.get("Filter") or ())
    # MaxItems counts users, groups, roles and policies together; only the page is read in full.
    page = paginate(call, found, "Page")
    return {**details.details(call.tx, account, page.pop("Page")), **page}
