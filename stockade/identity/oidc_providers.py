"""OpenID Connect identity providers: the issuers whose tokens AssumeRoleWithWebIdentity will
accept, with the audiences (client ids) and certificate thumbprints registered for each.

The provider's ARN is `arn:aws:iam::ACCOUNT:oidc-provider/` followed by the URL without its
`https://`, which is also how GetOpenIDConnectProvider returns the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from stockade.auth.jwks import JwksError, parse_jwks
from stockade.identity import provider_rows, tags
from stockade.identity.errors import InvalidInput, LimitExceeded
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

# Fixed by AWS per provider (IAM quotas page), unlike the per-account count.
CLIENT_IDS_PER_PROVIDER = 100
THUMBPRINTS_PER_PROVIDER = 5

# https, a host name (an optional port), an optional path of printable ASCII; no query, fragment
# or credentials, as OpenID Connect Discovery allows for an issuer. `[!-"$->@-~]` is `!` to `~`
# without `#` and `?`.
_URL = re.compile(r'https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?(/[!-"$->@-~]*)?', re.I)
_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:oidc-provider/\S+")
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")


def provider_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{url}"


def check_arn(arn: str) -> None:
    """An ARN that cannot name an OIDC provider is invalid input, whatever the account."""
    if not _ARN.fullmatch(arn):
        raise InvalidInput(f"ARN {arn} is not valid.")


def host_and_path(url: str) -> str:
    """`https://host/path` → `host/path`, the provider's name in its ARN."""
    if not _URL.fullmatch(url):
        raise InvalidInput(
            f"The URL {url} is not valid: it must start with https:// and name a host, "
            "optionally a path, with no query or fragment."
        )
    return url[len("https://") :]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _check_client_ids(client_ids: Sequence[str]) -> None:
    if len(client_ids) > CLIENT_IDS_PER_PROVIDER:
        raise LimitExceeded(
            f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
        )


def _check_thumbprints(thumbprints: Sequence[str]) -> None:
    for thumbprint in thumbprints:
        if not _THUMBPRINT.fullmatch(thumbprint):
            raise InvalidInput(
                f"Thumbprint {thumbprint} is not valid: it is the SHA-1 of a certificate, "
                "40 hexadecimal digits."
            )
    if len(thumbprints) > THUMBPRINTS_PER_PROVIDER:
        # InvalidInput, not LimitExceeded: UpdateOpenIDConnectProviderThumbprint declares only
        # the former.
        raise InvalidInput(
            f"A provider has at most {THUMBPRINTS_PER_PROVIDER} thumbprints, "
            f"not {len(thumbprints)}."
        )


def create(
    tx: Connection,
    account_id: str,
    url: str,
    client_ids: Iterable[str],
    thumbprints: Iterable[str],
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> str:
    location = host_and_path(url)
    arn = provider_arn(account_id, location)
    audiences, prints = _unique(client_ids), _unique(thumbprints)
    _check_client_ids(audiences)
    _check_thumbprints(prints)
    return provider_rows.insert(
        tx,
        t.oidc_providers,
        account_id,
        arn,
        exists=f"Provider with url {url} already exists.",
        quota=("OpenIdConnectProvidersPerAccount", quotas.oidc_providers),
        quotas=quotas,
        new_tags=new_tags,
        url=location,
        client_ids=audiences,
        thumbprints=prints,
        jwks=None,
    )


def get(tx: Connection, account_id: str, arn: str) -> dict[str, Any]:
    return provider_rows.get(tx, t.oidc_providers, account_id, arn, _missing(arn))


def _missing(arn: str) -> str:
    return f"OpenIDConnect Provider not found for arn {arn}"


def view(tx: Connection, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Url": row["url"],
        "ClientIDList": list(row["client_ids"]),
        "ThumbprintList": list(row["thumbprints"]),
        "CreateDate": row["created_at"],
        "Tags": tags.list_tags(tx, row["arn"]) or None,
    }


def find_by_issuer(tx: Connection, account_id: str, issuer: str) -> dict[str, Any] | None:
    """The account's provider for a token's `iss` (`https://host/path`), if it has one."""
    if not issuer.startswith("https://"):
        return None
    arn = provider_arn(account_id, issuer[len("https://") :])
    table = t.oidc_providers
    row = tx.execute(select(table).where(table.c.arn == arn)).mappings().first()
    return None if row is None else dict(row)


def find_by_url(tx: Connection, url: str) -> list[dict[str, Any]]:
    """Every account's provider for a URL (with or without `https://`), for the command line."""
    location = url.removeprefix("https://")
    table = t.oidc_providers
    rows = tx.execute(select(table).where(table.c.url == location).order_by(table.c.account_id))
    return [dict(row) for row in rows.mappings()]


def set_jwks(tx: Connection, account_id: str, arn: str, jwks: str | None) -> None:
    """Keep an uploaded key set for the provider (checked first), or forget it (None: fetch)."""
    get(tx, account_id, arn)
    if jwks is not None:
        try:
            parse_jwks(jwks)
        except JwksError as exc:
            raise InvalidInput(f"The JWKS cannot verify tokens: {exc}.") from None
    _change(tx, arn, jwks=jwks)


def list_arns(tx: Connection, account_id: str) -> list[str]:
    table = t.oidc_providers
    query = select(table.c.arn).where(table.c.account_id == account_id).order_by(table.c.arn)
    return list(tx.execute(query).scalars())


def _change(tx: Connection, arn: str, **values: Any) -> None:
    table = t.oidc_providers
    tx.execute(update(table).where(table.c.arn == arn).values(**values))


def add_client_id(tx: Connection, account_id: str, arn: str, client_id: str) -> None:
    """Adding a client id already registered changes nothing and is no error (AWS: idempotent)."""
    client_ids = list(get(tx, account_id, arn)["client_ids"])
    if client_id in client_ids:
        return
    client_ids.append(client_id)
    _check_client_ids(client_ids)
    _change(tx, arn, client_ids=client_ids)


def remove_client_id(tx: Connection, account_id: str, arn: str, client_id: str) -> None:
    """Removing a client id that is not registered is no error either (AWS: idempotent)."""
    client_ids = list(get(tx, account_id, arn)["client_ids"])
    if client_id in client_ids:
        client_ids.remove(client_id)
        _change(tx, arn, client_ids=client_ids)


def update_thumbprints(
    tx: Connection, account_id: str, arn: str, thumbprints: Iterable[str]
) -> None:
    get(tx, account_id, arn)
    prints = _unique(thumbprints)
    _check_thumbprints(prints)
    _change(tx, arn, thumbprints=prints)


def delete(tx: Connection, account_id: str, arn: str) -> None:
    provider_rows.delete(tx, t.oidc_providers, account_id, arn, _missing(arn))
