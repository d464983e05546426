"""A real boto3 client, its HTTP send replaced by our protocol: the whole client-side path
(parameter validation, form encoding, SigV4, response and error parsing) meets ours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from stockade.protocol import AWSError, ServiceProtocol

Handler = Callable[[str, dict[str, Any]], dict[str, Any] | None]


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class FakeServer:
    """Stands where Stockade's HTTP app will: form in, protocol, handler, protocol, XML out."""

    def __init__(self, service: str, handler: Handler) -> None:
        self.protocol = ServiceProtocol.load(service)
        self.handler = handler
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        form = dict(parse_qsl(body, keep_blank_values=True))
        action = form.pop("Action")
        form.pop("Version")
        try:
            parsed = self.protocol.parse_request(action, form)
            self.seen.append((action, parsed))
            status = 200
            xml = self.protocol.serialize_response(action, self.handler(action, parsed), "rid-1")
        except AWSError as error:
            status, xml = self.protocol.serialize_error(error, "rid-1", action)
        return AWSResponse(request.url, status, {"x-amzn-requestid": "rid-1"}, _Body(xml))


def _client(service: str, server: FakeServer) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )
    client = session.client(
        service,
        endpoint_url="https://stockade.invalid",
        config=Config(retries={"total_max_attempts": 1}),
    )
    client.meta.events.register(f"before-send.{service}", server)
    return client


USER = {
    "Path": "/",
    "UserName": "bob",
    "UserId": "AIDAEXAMPLE",
    "Arn": "arn:aws:iam::123456789012:user/bob",
    "CreateDate": datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC),
    "Tags": [{"Key": "team", "Value": "platform"}],
}


def test_create_user_through_boto3() -> None:
    server = FakeServer("iam", lambda action, params: {"User": {**USER, **params}})
    client = _client("iam", server)
    response = client.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "platform"}])
    assert server.seen == [
        ("CreateUser", {"UserName": "bob", "Tags": [{"Key": "team", "Value": "platform"}]})
    ]
    assert response["User"] == USER
    assert response["ResponseMetadata"]["RequestId"] == "rid-1"


def test_modelled_error_becomes_the_modelled_exception() -> None:
    def handler(action: str, params: dict[str, Any]) -> None:
        raise AWSError("NoSuchEntity", f"The user with name {params['UserName']} cannot be found.")

    client = _client("iam", FakeServer("iam", handler))
    with pytest.raises(client.exceptions.NoSuchEntityException) as caught:
        client.get_user(UserName="nobody")
    response = caught.value.response
    assert response["Error"] == {
        "Type": "Sender",
        "Code": "NoSuchEntity",
        "Message": "The user with name nobody cannot be found.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_server_side_validation_reaches_the_client() -> None:
    client = _client("iam", FakeServer("iam", lambda action, params: None))
    with pytest.raises(ClientError) as caught:
        client.get_user(UserName="bob smith")  # botocore checks no patterns; the server does
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"].startswith(
        "1 validation error detected: Value 'bob smith' at 'userName'"
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_assume_role_through_boto3() -> None:
    expiration = datetime(2026, 11, 29, 9, 25, 10, tzinfo=UTC)

    def handler(action: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "Credentials": {
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "s",
                "SessionToken": "t",
                "Expiration": expiration,
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROAEXAMPLE:" + params["RoleSessionName"],
                "Arn": "arn:aws:sts::123456789012:assumed-role/r/" + params["RoleSessionName"],
            },
            "PackedPolicySize": 12,
        }

    server = FakeServer("sts", handler)
    client = _client("sts", server)
    response = client.assume_role(
        RoleArn="arn:aws:iam::123456789012:role/r",
        RoleSessionName="ci",
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        Tags=[{"Key": "project", "Value": "stockade"}],
        TransitiveTagKeys=["project"],
        DurationSeconds=900,
    )
    assert server.seen[0][1]["DurationSeconds"] == 900
    assert server.seen[0][1]["TransitiveTagKeys"] == ["project"]
    assert response["Credentials"]["Expiration"] == expiration
    assert response["PackedPolicySize"] == 12
