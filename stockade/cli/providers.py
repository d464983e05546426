"""`stockade oidc-provider set-jwks`: keys for an OIDC issuer the server cannot reach.

AssumeRoleWithWebIdentity fetches an issuer's keys through OpenID Connect Discovery; an issuer
on a network Stockade cannot reach (or one without discovery) has its key set uploaded here
instead, and `--clear` goes back to fetching.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from stockade.cli.server import open_store, storage_options


def register(commands: Any) -> None:
    provider = commands.add_parser("oidc-provider", help="OIDC identity providers' signing keys")
    actions = provider.add_subparsers(dest="oidc_command", required=True, metavar="ACTION")
    set_jwks = actions.add_parser(
        "set-jwks", help="upload the JSON Web Key Set that verifies a provider's tokens"
    )
    storage_options(set_jwks)
    set_jwks.add_argument("--url", required=True, help="the provider's URL (its tokens' iss)")
    source = set_jwks.add_mutually_exclusive_group(required=True)
    source.add_argument("--jwks-file", type=Path, help="a JWKS document (public keys only)")
    source.add_argument(
        "--clear", action="store_true", help="forget the uploaded set: fetch from the issuer"
    )
    set_jwks.add_argument(
        "--account-id", help="the provider's account, when several accounts have this URL"
    )
    set_jwks.set_defaults(run=run_set_jwks)


def run_set_jwks(args: argparse.Namespace) -> int:
    from stockade.auth.secrets import SecretsError
    from stockade.identity import oidc_providers
    from stockade.identity.errors import IdentityError

    jwks: str | None = None
    if args.jwks_file is not None:
        try:
            jwks = args.jwks_file.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"stockade oidc-provider: {args.jwks_file}: {exc}", file=sys.stderr)
            return 2
    try:
        store, _ = open_store(args)
        with store.write() as tx:
            found = [
                row
                for row in oidc_providers.find_by_url(tx, args.url)
                if args.account_id in (None, row["account_id"])
            ]
            if len(found) != 1:
                problem = "no OIDC provider has" if not found else "several accounts have"
                print(f"stockade oidc-provider: {problem} the URL {args.url}", file=sys.stderr)
                return 1
            row = found[0]
            oidc_providers.set_jwks(tx, row["account_id"], row["arn"], jwks)
    except (IdentityError, SecretsError) as exc:
        print(f"stockade oidc-provider: {exc}", file=sys.stderr)
        return 1
    what = "keys uploaded for" if jwks is not None else "keys will be fetched for"
    print(f"{row['arn']}: {what} https://{row['url']}")
    return 0
