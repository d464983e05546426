"""`stockade import authorization-details`: a real AWS account's IAM state as a read-only mirror."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from stockade.cli.server import open_store, storage_options

EXIT_OK, EXIT_ERROR = 0, 2


def register(commands: Any) -> None:
    group = commands.add_parser("import", help="import a real AWS account as a read-only mirror")
    sub = group.add_subparsers(dest="import_command", required=True, metavar="SOURCE")
    details = sub.add_parser(
        "authorization-details",
        help="the output of `aws iam get-account-authorization-details`",
        description="Import the output of `aws iam get-account-authorization-details` (and "
        "optionally `aws iam get-credential-report`'s CSV) as a read-only mirror account. "
        "Importing again under the same --name replaces the mirror.",
    )
    details.add_argument("file", type=Path, metavar="FILE.json")
    details.add_argument(
        "--credential-report",
        type=Path,
        metavar="FILE.csv",
        help="the decoded credential report (base64-decode GetCredentialReport's Content)",
    )
    details.add_argument("--name", help="the mirror's name (default: its account id)")
    details.add_argument(
        "--access-key",
        action="store_true",
        help="make a read-only access key for the mirror (its root, refused every change), to "
        "query it over the API; the secret is shown once",
    )
    details.add_argument("--json", action="store_true", help="print the summary as JSON")
    storage_options(details)
    details.set_defaults(run=run_import)


def _fail(message: str) -> int:
    print(f"stockade import: {message}", file=sys.stderr)
    return EXIT_ERROR


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None


def read_details_file(path: Path) -> Any:
    """A decoded authorization-details file; ValueError (one line) if it cannot be read."""
    from stockade.identity.authorization_details import DetailsError, read_details

    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    try:
        return read_details(data)
    except DetailsError as exc:
        raise ValueError(f"{path}: {exc}") from None


def run_import(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from stockade.auth.secrets import SecretsError
    from stockade.identity.authorization_details import DetailsError
    from stockade.identity.errors import IdentityError
    from stockade.identity.mirror import check_name, import_mirror
    from stockade.identity.quotas import DEFAULT_QUOTAS

    try:
        details = read_details_file(args.file)
        report = _read_text(args.credential_report) if args.credential_report else None
    except ValueError as exc:
        return _fail(str(exc))
    name = args.name or details.account_id
    try:
        check_name(name)
    except DetailsError as exc:
        return _fail(str(exc))
    try:
        store, box = open_store(args)
        with store.write() as tx:
            result = import_mirror(
                tx,
                box,
                details,
                name=name,
                source=str(args.file),
                credential_report=report,
                audit_key=args.access_key,
                quotas=DEFAULT_QUOTAS,
            )
    except DetailsError as exc:
        where = args.credential_report if args.credential_report else args.file
        return _fail(f"{where}: {exc}")
    except (IdentityError, SecretsError) as exc:
        return _fail(str(exc))
    except IntegrityError:
        # Ids are unique across the store, as in AWS: a file whose ids another account holds
        # was edited, or copied from another account's.
        return _fail(
            f"{args.file}: a unique id or ARN of the file is already used by another account "
            "of this store"
        )
    if args.json:
        print(json.dumps(result))
        return EXIT_OK
    print(
        f"Mirror {result['Name']}: account {result['AccountId']}, read-only; "
        f"{result['Users']} users, {result['Groups']} groups, {result['Roles']} roles, "
        f"{result['Policies']} customer managed policies ({result['PolicyVersions']} versions), "
        f"{result['InstanceProfiles']} instance profiles"
        + (", credentials from the credential report" if result["CredentialReport"] else "")
    )
    if "AuditKey" in result:
        key = result["AuditKey"]
        print(
            f"Read-only access key: {key['AccessKeyId']}, secret {key['SecretAccessKey']} "
            "(shown once; Stockade keeps it only encrypted)"
        )
    return EXIT_OK
