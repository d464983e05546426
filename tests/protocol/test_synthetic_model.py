"""What IAM and STS do not exercise but the Query protocol has: flattened lists and maps,
locationNames, timestamp formats, blobs, longs, doubles, sensitive structures, recursion.
A small model built here goes through botocore's serializer and parser like the real ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.model
import pytest
from hypothesis import given, settings

from stockade.protocol import AWSError
from tests.protocol.peer import parse_response, protocol_for, query_params
from tests.protocol.shapes import value_of

STRING = {"type": "string"}
MODEL: dict[str, Any] = {
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "synthetic",
        "protocol": "query",
        "serviceId": "Synthetic",
        "signatureVersion": "v4",
        "xmlNamespace": "https://synthetic.example/doc/2020-01-01/",
    },
    "operations": {
        "Everything": {
            "name": "Everything",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "Everything"},
            "output": {"shape": "Everything", "resultWrapper": "EverythingResult"},
            "errors": [{"shape": "Teapot"}, {"shape": "Unadorned"}],
        },
        "Nothing": {"name": "Nothing", "http": {"method": "POST", "requestUri": "/"}},
    },
    "shapes": {
        "Everything": {
            "type": "structure",
            "members": {
                "Flat": {"shape": "FlatList"},
                "Named": {"shape": "NamedFlatList"},
                "Renamed": {"shape": "String", "locationName": "OtherName"},
                "Inner": {"shape": "ItemList"},
                "Attrs": {"shape": "AttrMap"},
                "FlatAttrs": {"shape": "FlatMap"},
                "When": {"shape": "Time"},
                "WhenEpoch": {"shape": "EpochTime"},
                "Data": {"shape": "Blob"},
                "Big": {"shape": "Long"},
                "Ratio": {"shape": "Double"},
                "Secret": {"shape": "SecretStruct"},
                "Tree": {"shape": "Node"},
            },
        },
        "String": STRING,
        "Pin": {"type": "string", "max": 3},
        "Time": {"type": "timestamp"},
        "EpochTime": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
        "Blob": {"type": "blob"},
        "Long": {"type": "long"},
        "Double": {"type": "double"},
        "FlatList": {"type": "list", "member": {"shape": "String"}, "flattened": True},
        "NamedFlatList": {
            "type": "list",
            "member": {"shape": "String", "locationName": "Item"},
            "flattened": True,
        },
        "ItemList": {"type": "list", "member": {"shape": "Node", "locationName": "item"}},
        "AttrMap": {
            "type": "map",
            "key": {"shape": "String", "locationName": "Name"},
            "value": {"shape": "Long", "locationName": "Val"},
        },
        "FlatMap": {
            "type": "map",
            "key": {"shape": "String"},
            "value": {"shape": "String"},
            "flattened": True,
        },
        "SecretStruct": {
            "type": "structure",
            "sensitive": True,
            "members": {"Pin": {"shape": "Pin"}},
        },
        "Node": {
            "type": "structure",
            "members": {"Name": {"shape": "String"}, "Children": {"shape": "NodeList"}},
        },
        "NodeList": {"type": "list", "member": {"shape": "Node"}},
        "Teapot": {
            "type": "structure",
            "members": {"message": {"shape": "String"}},
            "error": {"code": "Teapot", "httpStatusCode": 418, "senderFault": True},
            "exception": True,
        },
        "Unadorned": {"type": "structure", "members": {}, "exception": True},
    },
}
BOTO_MODEL = botocore.model.ServiceModel(MODEL, "synthetic")
PROTOCOL = protocol_for(BOTO_MODEL)
OPERATION = BOTO_MODEL.operation_model("Everything")

SAMPLE = {
    "Flat": ["a", "b"],
    "Named": ["x"],
    "Renamed": "r",
    "Inner": [{"Name": "n", "Children": [{"Name": "deep", "Children": []}]}],
    "Attrs": {"one": 1, "big": 2**62},
    "FlatAttrs": {"k": "v", "k2": ""},
    "When": datetime(2026, 11, 29, 8, 25, 10, 123000, tzinfo=UTC),
    "WhenEpoch": datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC),
    "Data": b"\x00\x01binary\xff",
    "Big": -(2**63),
    "Ratio": 0.1,
    "Tree": {"Name": "root", "Children": [{"Name": "leaf"}]},
}


def test_request_round_trip() -> None:
    wire = query_params(OPERATION, SAMPLE)
    assert "Flat.1" in wire and "Item.1" in wire and "OtherName" in wire
    assert "Inner.item.1.Name" in wire and "Attrs.entry.1.Name" in wire
    assert "FlatAttrs.1.key" in wire
    assert PROTOCOL.parse_request("Everything", wire) == SAMPLE


def test_response_round_trip() -> None:
    body = PROTOCOL.serialize_response("Everything", SAMPLE, "r")
    assert b"<Item>x</Item>" in body and b"<FlatAttrs><key>k</key>" in body
    assert b"<WhenEpoch>1795940710</WhenEpoch>" in body
    parsed = parse_response(OPERATION, body)
    parsed.pop("ResponseMetadata")
    assert parsed == SAMPLE


@settings(max_examples=150, deadline=None)
@given(value_of(OPERATION.input_shape, request=True))
def test_any_request_round_trips(params: dict[str, Any]) -> None:
    wire = query_params(OPERATION, params)
    if len(params.get("Secret", {}).get("Pin", "")) > 3:
        with pytest.raises(AWSError):
            PROTOCOL.parse_request("Everything", wire)
        params["Secret"]["Pin"] = "123"
        wire["Secret.Pin"] = "123"
    assert PROTOCOL.parse_request("Everything", wire) == params


@settings(max_examples=150, deadline=None)
@given(value_of(OPERATION.output_shape, request=False))
def test_any_response_round_trips(result: dict[str, Any]) -> None:
    result.pop("WhenEpoch", None)  # whole seconds only on the wire; covered above
    for flattened in ("Flat", "Named", "FlatAttrs"):
        if result.get(flattened) in ([], {}):
            del result[flattened]  # no elements, no trace: XML cannot say "empty" for these
    parsed = parse_response(OPERATION, PROTOCOL.serialize_response("Everything", result, "r"))
    parsed.pop("ResponseMetadata")
    assert parsed == result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29T08:25:10Z", datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC)),
        ("2026-11-29T08:25:10.5+01:00", datetime(2026, 11, 29, 7, 25, 10, 500000, tzinfo=UTC)),
        ("2026-11-29T08:25:10", datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC)),
        ("1795940710", datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC)),
        ("1795940710.003691", datetime(2026, 11, 29, 8, 25, 10, 3691, tzinfo=UTC)),
        ("-1.5", datetime(1969, 12, 31, 23, 59, 58, 500000, tzinfo=UTC)),
        ("Sun, 29 Nov 2026 08:25:10 GMT", datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC)),
    ],
)
def test_timestamp_inputs(text: str, expected: datetime) -> None:
    parsed = PROTOCOL.parse_request("Everything", {"When": text})["When"]
    assert parsed == expected and parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"When": "yesterday"},
            "Value 'yesterday' at 'when' failed to satisfy constraint: "
            "Member must be a timestamp (ISO 8601 or seconds since the epoch)",
        ),
        (
            {"When": "99999999999999"},
            "Value '99999999999999' at 'when' failed to satisfy constraint: "
            "Member must be a timestamp (ISO 8601 or seconds since the epoch)",
        ),
        (
            {"Data": "not base64!"},
            "Value 'not base64!' at 'data' failed to satisfy constraint: "
            "Member must be base64-encoded",
        ),
        (
            {"Big": "9223372036854775808"},
            "Value '9223372036854775808' at 'big' failed to satisfy constraint: "
            "Member must be an integer",
        ),
        (
            {"Ratio": "nan"},
            "Value 'nan' at 'ratio' failed to satisfy constraint: Member must be a number",
        ),
        (
            {"Attrs.entry.1.Name": "k", "Attrs.entry.1.Val": "x"},
            "Value 'x' at 'attrs.k.member' failed to satisfy constraint: Member must be an integer",
        ),
        (
            {
                "Inner.item.1.Children.member.1.Name": "n",
                "Inner.item.1.Name": "n",
                "Secret.Pin": "1234",
            },
            "Value at 'secret.pin' failed to satisfy constraint: "
            "Member must have length less than or equal to 3",
        ),
    ],
)
def test_unconvertible_and_sensitive(params: dict[str, str], message: str) -> None:
    with pytest.raises(AWSError) as caught:
        PROTOCOL.parse_request("Everything", params)
    assert caught.value.message == "1 validation error detected: " + message


def test_empty_list_and_map_markers() -> None:
    assert PROTOCOL.parse_request("Everything", {"Inner": "", "Attrs": "", "Flat": ""}) == {
        "Inner": [],
        "Attrs": {},
        "Flat": [],
    }


def test_operation_without_input_or_output() -> None:
    assert PROTOCOL.parse_request("Nothing", {"Anything": "x"}) == {}
    body = PROTOCOL.serialize_response("Nothing", None, "r")
    assert body == (
        b'<NothingResponse xmlns="https://synthetic.example/doc/2020-01-01/"><ResponseMetadata>'
        b"<RequestId>r</RequestId></ResponseMetadata></NothingResponse>"
    )


def test_error_codes_without_error_trait() -> None:
    assert PROTOCOL.error_status("Everything", "Teapot") == 418
    assert PROTOCOL.error_status(None, "Unadorned") == 400
