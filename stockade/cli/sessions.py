"""`stockade revoke-sessions`: the AWS console's "Revoke active sessions" for a role."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    from stockade.cli.server import storage_options

    revoke = commands.add_parser(
        "revoke-sessions",
        help="refuse every request of a role's sessions issued before now",
        description=(
            "Puts the inline policy AWSRevokeOlderSessions on the role, denying every action "
            "to sessions whose aws:TokenIssueTime is before now, as the AWS console's "
            '"Revoke active sessions" does. Sessions issued afterwards are unaffected.'
        ),
    )
    storage_options(revoke)
    revoke.add_argument("--role", required=True, metavar="NAME", help="the role's name")
    revoke.add_argument(
        "--account-id", help="the role's account (default: the only account in the store)"
    )
    revoke.set_defaults(run=run_revoke)


def run_revoke(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from stockade.auth.secrets import SecretsError
    from stockade.cli.server import open_store
    from stockade.identity.clock import now
    from stockade.identity.errors import IdentityError
    from stockade.identity.sessions import REVOKE_POLICY_NAME, revoke_older_sessions
    from stockade.store import schema as t

    try:
        store, _ = open_store(args)
        with store.write() as tx:
            account_id = args.account_id
            if account_id is None:
                accounts = [row[0] for row in tx.execute(select(t.accounts.c.account_id))]
                if len(accounts) != 1:
                    print(
                        "stockade revoke-sessions: the store holds "
                        f"{len(accounts)} accounts; name one with --account-id",
                        file=sys.stderr,
                    )
                    return 2
                account_id = accounts[0]
            moment = now()
            revoke_older_sessions(tx, account_id, args.role, moment)
    except (IdentityError, SecretsError) as exc:
        print(f"stockade revoke-sessions: {exc}", file=sys.stderr)
        return 1
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    print(
        f"Role {args.role}: sessions issued before {stamp} are refused "
        f"(inline policy {REVOKE_POLICY_NAME})."
    )
    return 0
