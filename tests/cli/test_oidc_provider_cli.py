"""`stockade oidc-provider set-jwks`: upload, refuse and clear a provider's key set."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from stockade.cli import main
from stockade.identity import accounts, oidc_providers
from stockade.identity.quotas import DEFAULT_QUOTAS
from stockade.store import Store
from tests.idp import OidcIssuer

URL = "https://token.actions.githubusercontent.com"
ACCOUNT = "123456789012"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    store = Store.for_data_dir(tmp_path)
    store.migrate()
    with store.write() as tx:
        accounts.create_account(tx, ACCOUNT, root_email="root@example.com")
        oidc_providers.create(tx, ACCOUNT, URL, ["sts.amazonaws.com"], [], DEFAULT_QUOTAS)
    store.close()
    return tmp_path


def stored_jwks(data_dir: Path) -> str | None:
    store = Store.for_data_dir(data_dir)
    with store.read() as tx:
        row = oidc_providers.find_by_issuer(tx, ACCOUNT, URL)
    store.close()
    assert row is not None
    return row["jwks"]


def test_upload_then_clear(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jwks = OidcIssuer(URL).jwks()
    path = data_dir / "jwks.json"
    path.write_text(jwks)
    args = ["oidc-provider", "set-jwks", "--url", URL, "--data-dir", str(data_dir)]
    assert main([*args, "--jwks-file", str(path)]) == 0
    assert (
        "keys uploaded for https://token.actions.githubusercontent.com" in capsys.readouterr().out
    )
    assert stored_jwks(data_dir) == jwks
    assert main([*args, "--clear"]) == 0
    assert stored_jwks(data_dir) is None


def test_a_private_key_is_refused_and_nothing_stored(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer = OidcIssuer(URL)
    private = json.loads(jwt.get_algorithm_by_name("RS256").to_jwk(issuer.key))
    path = data_dir / "jwks.json"
    path.write_text(json.dumps({"keys": [private]}))
    args = ["oidc-provider", "set-jwks", "--url", URL, "--jwks-file", str(path)]
    code = main([*args, "--data-dir", str(data_dir)])
    assert code == 1
    assert "private or secret key material" in capsys.readouterr().err
    assert stored_jwks(data_dir) is None


def test_an_unknown_url_says_so(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["oidc-provider", "set-jwks", "--url", "https://nowhere.example.com", "--clear"]
    assert main([*args, "--data-dir", str(data_dir)]) == 1
    assert "no OIDC provider has the URL" in capsys.readouterr().err
