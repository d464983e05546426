"""The HTTP edge of the API: what reaches the endpoint before any AWS operation does."""

from __future__ import annotations

import httpx

from tests.api import wire
from tests.api.conftest import Server


def _admin(server: Server) -> wire.Signer:
    return wire.Signer(server.admin_key, server.admin_secret)


def test_an_oversized_body_is_refused_in_aws_shape(server: Server) -> None:
    params = wire.action(
        "CreatePolicy", [("PolicyName", "huge"), ("PolicyDocument", "x" * 1_100_000)]
    )
    with httpx.Client(timeout=30) as client:
        reply = wire.send(client, server.endpoint, params, _admin(server))
    assert (reply.status, reply.code) == (413, "RequestEntityTooLarge")
    assert reply.request_id


def test_signed_get_and_post_reach_the_same_operation(server: Server) -> None:
    params = wire.action("GetUser", [("UserName", "admin")])
    with httpx.Client(timeout=30) as client:
        for method in ("GET", "POST"):
            reply = wire.send(client, server.endpoint, params, _admin(server), method=method)
            assert reply.status == 200, reply.body
            assert reply.find_text("GetUserResult/User/UserName") == ["admin"]


def test_other_paths_are_not_the_api(server: Server) -> None:
    with httpx.Client(timeout=30) as client:
        assert client.get(server.endpoint + "/no-such-page").status_code == 404
