"""`stockade serve` and `stockade init`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the server's modules load only when a server command runs
    from stockade.auth.secrets import SecretBox
    from stockade.identity.quotas import Quotas
    from stockade.store import Store


def default_data_dir() -> Path:
    configured = os.environ.get("STOCKADE_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "stockade"


def storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the SQLite database and the key file live (default: $STOCKADE_DATA_DIR or "
        "~/.local/share/stockade)",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL (postgresql+psycopg://…) instead of the embedded SQLite",
    )


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the IAM and STS endpoint")
    storage_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--account-id", help="the account id to create on first start")
    serve.add_argument(
        "--quota",
        action="append",
        default=[],
        metavar="NAME=N",
        help="override an IAM quota, e.g. users=10000 (names: see docs/server.md)",
    )
    serve.set_defaults(run=run_serve)

    init = commands.add_parser("init", help="create the account non-interactively")
    storage_options(init)
    init.add_argument("--account-id", required=True)
    init.add_argument("--root-email", required=True)
    init.add_argument("--root-password-file", type=Path, required=True)
    init.add_argument(
        "--admin-user", help="also create this IAM user with AdministratorAccess and keys"
    )
    init.add_argument(
        "--root-access-key", action="store_true", help="make root access keys (test accounts only)"
    )
    init.add_argument("--json", action="store_true")
    init.set_defaults(run=run_init)


def open_store(args: argparse.Namespace) -> tuple[Store, SecretBox]:
    from stockade.auth.secrets import SecretBox
    from stockade.store import Store

    data_dir: Path = args.data_dir or default_data_dir()
    store = Store(args.database_url) if args.database_url else Store.for_data_dir(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    box = SecretBox.from_data_dir(data_dir)
    store.migrate()
    return store, box


def parse_quotas(pairs: list[str]) -> Quotas:
    from dataclasses import fields, replace

    from stockade.identity.quotas import DEFAULT_QUOTAS

    known = {f.name for f in fields(DEFAULT_QUOTAS)}
    changes: dict[str, int] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in known or not value.isdigit():
            raise ValueError(f"--quota wants NAME=N with NAME one of {', '.join(sorted(known))}")
        changes[name] = int(value)
    return replace(DEFAULT_QUOTAS, **changes)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from stockade.api.context import Services
    from stockade.app import build_app
    from stockade.auth.identifiers import new_account_id
    from stockade.auth.secrets import SecretsError
    from stockade.identity.principals import PolicyCache
    from stockade.identity.setup import ensure_account

    try:
        quotas = parse_quotas(args.quota)
        store, box = open_store(args)
    except (SecretsError, ValueError) as exc:
        print(f"stockade serve: {exc}", file=sys.stderr)
        return 2
    with store.write() as tx:
        account_id, token = ensure_account(tx, args.account_id, new_account_id())
    base = f"http://{args.host}:{args.port}"
    print(f"Stockade serves account {account_id} at {base}", flush=True)
    if token:
        print(f"Set up the root user once at: {base}/setup?token={token}", flush=True)
        print("(until the console exists, `stockade init` sets the root user instead)", flush=True)
    store.listen()  # on PostgreSQL: hear every account's generation move (store.generations)
    services = Services(
        box=box, quotas=quotas, policy_cache=PolicyCache(), generations=store.generations
    )
    uvicorn.run(
        build_app(store, services),
        host=args.host,
        port=args.port,
        access_log=False,  # query strings may carry secrets; the app logs what is safe
        log_level="warning",
    )
    return 0


def run_init(args: argparse.Namespace) -> int:
    from stockade.auth.secrets import SecretsError
    from stockade.identity.errors import IdentityError
    from stockade.identity.quotas import DEFAULT_QUOTAS
    from stockade.identity.setup import initialise

    try:
        password = args.root_password_file.read_text().rstrip("\n")
    except OSError as exc:
        print(f"stockade init: {args.root_password_file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        store, box = open_store(args)
        with store.write() as tx:
            result = initialise(
                tx,
                box,
                DEFAULT_QUOTAS,
                account_id=args.account_id,
                root_email=args.root_email,
                root_password=password,
                admin_user=args.admin_user,
                root_access_key=args.root_access_key,
            )
    except (IdentityError, SecretsError) as exc:
        print(f"stockade init: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"Account: {result['AccountId']}")
    for label, key in (("Admin user", "AdminUser"), ("Root access key", "RootAccessKey")):
        if key in result:
            item = result[key]
            name = f" {item['UserName']}" if "UserName" in item else ""
            print(
                f"{label}{name}: access key {item['AccessKeyId']}, secret {item['SecretAccessKey']}"
            )
    if "AdminUser" in result or "RootAccessKey" in result:
        print("The secrets are shown once; Stockade keeps them only encrypted.")
    return 0
