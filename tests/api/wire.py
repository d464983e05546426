"""Raw AWS Query requests for the API tests: any parameters, signed with botocore's own SigV4
signer (optionally as of a past moment), sent with httpx, and the answer read as AWS's XML.

boto3 validates and serialises what it sends; these helpers send exactly what a test says, so
a test can put anything on the wire (unknown actions, gaps in `.member.N` lists, wrong types,
control characters) and still be signed the way every SDK signs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from unittest import mock
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_VERSION = "2010-05-08"
FORM = "application/x-www-form-urlencoded; charset=utf-8"

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Signer:
    """Whose keys sign, for which service."""

    access_key: str
    secret_key: str
    service: str = "iam"
    region: str = "us-east-1"


def encode(params: Params | dict[str, str], *, for_url: bool = False) -> str:
    """Form encoding for a body; for a URL, SigV4's own encoding (`%20`, only `-_.~` bare).

    botocore signs a URL's query string as it stands, so a GET must already be in canonical
    form (botocore's own presigned URLs are); a body may use the form's `+` for spaces.
    """
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    if for_url:
        return urlencode(pairs, safe="~", quote_via=quote)
    return urlencode(pairs)


def build_request(
    endpoint: str,
    params: Params | dict[str, str],
    signer: Signer | None,
    *,
    method: str = "POST",
    at: datetime | None = None,
) -> httpx.Request:
    """The request as an SDK would send it: a form POST, or a GET with the query string.

    `signer` None sends it unsigned; `at` signs it as of that (UTC) moment.
    """
    if method == "POST":
        body = encode(params).encode("utf-8")
        request = AWSRequest("POST", endpoint + "/", data=body, headers={"Content-Type": FORM})
    else:
        query = encode(params, for_url=True)
        request = AWSRequest(method, f"{endpoint}/?{query}" if query else endpoint + "/")
    if signer is not None:
        auth = SigV4Auth(
            Credentials(signer.access_key, signer.secret_key), signer.service, signer.region
        )
        if at is None:
            auth.add_auth(request)
        else:
            with mock.patch("botocore.auth.get_current_datetime", return_value=at):
                auth.add_auth(request)
    prepared = request.prepare()
    content = prepared.body if isinstance(prepared.body, bytes) else None
    return httpx.Request(
        prepared.method, prepared.url, headers=dict(prepared.headers.items()), content=content
    )


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer read as AWS's Query XML: either `<XResponse>` or `<ErrorResponse>`."""

    status: int
    body: bytes
    root: ElementTree.Element

    @property
    def namespace(self) -> str:
        return self.root.tag[1:].split("}", 1)[0] if self.root.tag.startswith("{") else ""

    @property
    def root_name(self) -> str:
        return self.root.tag.rsplit("}", 1)[-1]

    @property
    def is_error(self) -> bool:
        return self.root_name == "ErrorResponse"

    def _error_field(self, name: str) -> str | None:
        element = self.root.find(f"{{{self.namespace}}}Error/{{{self.namespace}}}{name}")
        return None if element is None else element.text or ""

    @property
    def code(self) -> str | None:
        return self._error_field("Code")

    @property
    def message(self) -> str | None:
        return self._error_field("Message")

    @property
    def fault(self) -> str | None:
        return self._error_field("Type")

    @property
    def request_id(self) -> str | None:
        ns = self.namespace
        path = "RequestId" if self.is_error else "ResponseMetadata/RequestId"
        element = self.root.find("/".join(f"{{{ns}}}{part}" for part in path.split("/")))
        return None if element is None else element.text

    def find_text(self, path: str) -> list[str]:
        """Texts at a slash-separated path of local names under the root (namespace added)."""
        ns = self.namespace
        xpath = "/".join(f"{{{ns}}}{part}" for part in path.split("/"))
        return [element.text or "" for element in self.root.findall(xpath)]


class NotAwsXml(AssertionError):
    """The body is not an XML document at all."""


def read_reply(response: httpx.Response) -> Reply:
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as exc:
        raise NotAwsXml(
            f"HTTP {response.status_code}, body is not XML ({exc}): {response.content[:300]!r}"
        ) from None
    return Reply(response.status_code, response.content, root)


def send(
    client: httpx.Client,
    endpoint: str,
    params: Params | dict[str, str],
    signer: Signer | None,
    *,
    method: str = "POST",
    at: datetime | None = None,
) -> Reply:
    request = build_request(endpoint, params, signer, method=method, at=at)
    return read_reply(client.send(request))


def action(name: str, extra: Iterable[tuple[str, str]] = (), version: str = IAM_VERSION) -> Params:
    """`Action=name&Version=…` followed by the given parameters."""
    return [("Action", name), ("Version", version), *extra]
