"""Error documents: botocore reads code, message and type; statuses come from the model."""

from __future__ import annotations

from typing import Any

import pytest

from stockade.protocol import AWSError, ServiceProtocol
from tests.protocol.peer import operation_model, parse_response, service_model


def _parsed_error(service: str, error: AWSError, action: str = "GetUser") -> tuple[int, Any]:
    status, body = ServiceProtocol.load(service).serialize_error(error, "req-9", action)
    parsed = parse_response(operation_model(service, action), body, status)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"
    return status, parsed["Error"]


def _model_statuses(service: str) -> dict[str, int]:
    """code -> httpStatusCode, read straight from botocore's model."""
    model = service_model(service)
    out = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.metadata.get("exception"):
            error = shape.metadata.get("error", {})
            out[error.get("code", name)] = error.get("httpStatusCode", 400)
    return out


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NoSuchEntity", 404),
        ("EntityAlreadyExists", 409),
        ("LimitExceeded", 409),
        ("DeleteConflict", 409),
        ("MalformedPolicyDocument", 400),
        ("InvalidInput", 400),
        ("ReportInProgress", 404),
        ("ServiceFailure", 500),
        ("ValidationError", 400),
        ("InvalidAction", 400),
        ("AccessDenied", 403),
        ("InvalidClientTokenId", 403),
        ("SignatureDoesNotMatch", 403),
        ("NotImplemented", 501),
    ],
)
def test_iam_error_statuses(code: str, status: int) -> None:
    modelled = _model_statuses("iam")
    if code in modelled:
        assert modelled[code] == status  # the expectation itself comes from the model
    got, error = _parsed_error("iam", AWSError(code, f"about {code}"))
    assert got == status
    assert error["Code"] == code
    assert error["Message"] == f"about {code}"
    assert error["Type"] == ("Receiver" if status >= 500 else "Sender")


def test_every_modelled_code_gets_its_model_status() -> None:
    for service in ("iam", "sts"):
        protocol = ServiceProtocol.load(service)
        for code, status in _model_statuses(service).items():
            assert protocol.error_status(None, code) == status, code
            assert protocol.serialize_error(AWSError(code, "m"), "r")[0] == status


def test_sts_statuses() -> None:
    sts = ServiceProtocol.load("sts")
    assert sts.error_status("AssumeRole", "ExpiredTokenException") == 400
    assert sts.error_status("AssumeRole", "RegionDisabledException") == 403
    assert sts.error_status("AssumeRole", "ExpiredToken") == 400
    assert sts.error_status(None, "PackedPolicyTooLarge") == 400


def test_unknown_codes_default_to_400() -> None:
    iam = ServiceProtocol.load("iam")
    assert iam.error_status(None, "SomethingNew") == 400
    assert iam.error_status("NoSuchAction", "NoSuchEntity") == 404
    assert iam.error_status(None, "AccessDeniedException") == 403
    assert iam.error_status(None, "ServiceUnavailable") == 503
    assert iam.error_status(None, "InternalFailure") == 500


def test_explicit_status_and_receiver_fault() -> None:
    status, error = _parsed_error("iam", AWSError("Throttling", "Rate exceeded", 429, sender=True))
    assert (status, error["Code"], error["Type"]) == (429, "Throttling", "Sender")
    status, error = _parsed_error("iam", AWSError("Custom", "down", sender=False))
    assert (status, error["Type"]) == (400, "Receiver")


def test_message_is_escaped_and_action_optional() -> None:
    error = AWSError("MalformedPolicyDocument", "Syntax error at \"<\" & '>'")
    status, body = ServiceProtocol.load("iam").serialize_error(error, "r")
    assert status == 400
    assert body == (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender'
        b'</Type><Code>MalformedPolicyDocument</Code><Message>Syntax error at "&lt;" &amp; '
        b"'&gt;'</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
    _, parsed = _parsed_error("iam", error)
    assert parsed["Message"] == error.message


def test_aws_error_attributes() -> None:
    error = AWSError("NoSuchEntity", "The user with name bob cannot be found.")
    assert (error.code, error.message, error.status, error.sender) == (
        "NoSuchEntity",
        "The user with name bob cannot be found.",
        None,
        True,
    )
    assert str(error) == "NoSuchEntity: The user with name bob cannot be found."
