"""Input validation from the model's constraints, in AWS's words."""

from __future__ import annotations

import pytest

from stockade.protocol import AWSError, ServiceProtocol

IAM = ServiceProtocol.load("iam")
STS = ServiceProtocol.load("sts")
USER_PATTERN = r"[\w+=,.@-]+"
TAG_KEY_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"


def _message(protocol: ServiceProtocol, action: str, params: dict[str, str]) -> str:
    with pytest.raises(AWSError) as caught:
        protocol.parse_request(action, params)
    error = caught.value
    assert (error.code, error.status, error.sender) == ("ValidationError", 400, True)
    return error.message


def test_too_long() -> None:
    name = "a" * 65
    assert _message(IAM, "CreateUser", {"UserName": name}) == (
        f"1 validation error detected: Value '{name}' at 'userName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64"
    )


def test_bad_pattern() -> None:
    assert _message(IAM, "GetUser", {"UserName": "bob smith"}) == (
        "1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {USER_PATTERN}"
    )


def test_java_word_class_is_ascii() -> None:
    # Java's \w is [a-zA-Z0-9_]: AWS rejects user names with accented letters.
    assert "userName" in _message(IAM, "GetUser", {"UserName": "josé"})
    assert IAM.parse_request("GetUser", {"UserName": "jose_+=,.@-1"}) == {
        "UserName": "jose_+=,.@-1"
    }


def test_empty_value_fails_pattern_and_length_in_aws_order() -> None:
    assert _message(IAM, "GetUser", {"UserName": ""}) == (
        "2 validation errors detected: "
        "Value '' at 'userName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {USER_PATTERN}; "
        "Value '' at 'userName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_missing_required() -> None:
    assert _message(IAM, "PutUserPolicy", {"UserName": "bob", "PolicyName": "p"}) == (
        "1 validation error detected: Value null at 'policyDocument' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_enum() -> None:
    params = {"UserName": "bob", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Enabled"}
    assert _message(IAM, "UpdateAccessKey", params) == (
        "1 validation error detected: Value 'Enabled' at 'status' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Active, Inactive, Expired]"
    )


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("0", "Member must have value greater than or equal to 1"),
        ("1001", "Member must have value less than or equal to 1000"),
    ],
)
def test_out_of_range(value: str, phrase: str) -> None:
    assert _message(IAM, "ListUsers", {"MaxItems": value}) == (
        f"1 validation error detected: Value '{value}' at 'maxItems' failed to satisfy "
        f"constraint: {phrase}"
    )


@pytest.mark.parametrize(
    ("action", "params", "location", "phrase"),
    [
        ("ListUsers", {"MaxItems": "abc"}, "maxItems", "Member must be an integer"),
        ("ListUsers", {"MaxItems": "1.5"}, "maxItems", "Member must be an integer"),
        ("ListUsers", {"MaxItems": "9" * 30}, "maxItems", "Member must be an integer"),
        ("ListUsers", {"MaxItems": "٣"}, "maxItems", "Member must be an integer"),
        ("ListUsers", {"MaxItems": "99999999999"}, "maxItems", "Member must be an integer"),
        (
            "CreatePolicyVersion",
            {
                "PolicyArn": "arn:aws:iam::123456789012:policy/p",
                "PolicyDocument": "{}",
                "SetAsDefault": "maybe",
            },
            "setAsDefault",
            "Member must be true or false",
        ),
    ],
)
def test_unconvertible_values(
    action: str, params: dict[str, str], location: str, phrase: str
) -> None:
    value = next(v for k, v in params.items() if k[0].lower() + k[1:] == location)
    assert _message(IAM, action, params) == (
        f"1 validation error detected: Value '{value}' at '{location}' failed to satisfy "
        f"constraint: {phrase}"
    )


def test_boolean_case_is_ignored() -> None:
    params = {"PolicyArn": "arn:aws:iam::123456789012:policy/p", "PolicyDocument": "{}"}
    assert IAM.parse_request("CreatePolicyVersion", {**params, "SetAsDefault": "TRUE"})[
        "SetAsDefault"
    ]


def test_several_errors_at_once_nested_in_model_order() -> None:
    params = {
        "UserName": "x" * 65,
        "Tags.member.1.Key": "bad!key",
        "Tags.member.1.Value": "ok",
        "Tags.member.2.Value": "no key",
    }
    assert _message(IAM, "CreateUser", params) == (
        "3 validation errors detected: "
        f"Value '{'x' * 65}' at 'userName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64; "
        "Value 'bad!key' at 'tags.1.member.key' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {TAG_KEY_PATTERN}; "
        "Value null at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_unicode_letters_pass_the_tag_pattern() -> None:
    params = {
        "UserName": "bob",
        "Tags.member.1.Key": "Kostenstelle é 東京 ٣",
        "Tags.member.1.Value": "",
    }
    parsed = IAM.parse_request("TagUser", params)
    assert parsed["Tags"] == [{"Key": "Kostenstelle é 東京 ٣", "Value": ""}]
    params["Tags.member.1.Key"] = "emoji 🙂"
    assert "tags.1.member.key" in _message(IAM, "TagUser", params)


def test_list_too_long() -> None:
    params = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"}
    for i in range(1, 52):
        params[f"Tags.member.{i}.Key"] = f"k{i}"
        params[f"Tags.member.{i}.Value"] = "v"
    message = _message(STS, "AssumeRole", params)
    assert message.startswith(
        "1 validation error detected: Value '[{Key=k1, Value=v}, {Key=k2, Value=v}, "
    )
    assert message.endswith(
        "{Key=k51, Value=v}]' at 'tags' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )


def test_scalar_list_elements_reported_at_the_list() -> None:
    params = {
        "RoleArn": "arn:aws:iam::123456789012:role/r",
        "RoleSessionName": "s1",
        "TransitiveTagKeys.member.1": "fine",
        "TransitiveTagKeys.member.2": "",
    }
    assert _message(STS, "AssumeRole", params) == (
        "1 validation error detected: Value '[fine, ]' at 'transitiveTagKeys' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must have length less than or "
        "equal to 128, Member must have length greater than or equal to 1, Member must satisfy "
        f"regular expression pattern: {TAG_KEY_PATTERN}]"
    )


def test_map_values_reported_at_the_map() -> None:
    params = {
        "Properties.entry.1.key": "Billing",
        "Properties.entry.1.value": "",
        "Properties.entry.2.key": "9lives",
        "Properties.entry.2.value": "v",
    }
    assert _message(IAM, "PutAccountProperties", params) == (
        "2 validation errors detected: "
        "Value '{Billing=, 9lives=v}' at 'properties' failed to satisfy constraint: Map keys must "
        "satisfy constraint: [Member must have length less than or equal to 50, Member must have "
        "length greater than or equal to 1, Member must satisfy regular expression pattern: "
        "^[A-Za-z][A-Za-z0-9/_-]*$]; "
        "Value '{Billing=, 9lives=v}' at 'properties' failed to satisfy constraint: Map value "
        "must satisfy constraint: [Member must have length less than or equal to 1024, Member "
        "must have length greater than or equal to 1]"
    )


def test_sensitive_values_are_not_echoed() -> None:
    secret = "x" * 129
    message = _message(IAM, "CreateLoginProfile", {"UserName": "bob", "Password": secret})
    assert secret not in message
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )
    message = _message(
        STS,
        "AssumeRoleWithWebIdentity",
        {
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "RoleSessionName": "s1",
            "WebIdentityToken": "abc",
        },
    )
    assert "abc" not in message and "Value at 'webIdentityToken'" in message


def test_validation_stops_nothing_else() -> None:
    # A valid request next to an invalid one: the valid one is unaffected (no shared state).
    assert IAM.parse_request("GetUser", {"UserName": "bob"}) == {"UserName": "bob"}
