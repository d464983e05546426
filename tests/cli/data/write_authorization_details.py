"""Writes authorization-details.json, the hand-written document of
tests/cli/test_import_and_diff.py: the policies are easier to read and change here than
URL-encoded."""

import json
from pathlib import Path
from urllib.parse import quote

A = "111122223333"


def enc(doc):
    return quote(json.dumps(doc), safe="")


dev_v1 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadAppData",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"],
        }
    ],
}
dev_v2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadWriteAppData",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"],
        },
        {
            "Sid": "NoProdDeletes",
            "Effect": "Deny",
            "Action": "s3:DeleteObject",
            "Resource": "arn:aws:s3:::app-data/prod/*",
        },
    ],
}
dev_v3 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EverythingOnAppData",
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"],
        }
    ],
}
boundary = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyStorageAndCompute",
            "Effect": "Allow",
            "Action": ["s3:*", "ec2:Describe*", "cloudformation:*", "iam:GetUser"],
            "Resource": "*",
        }
    ],
}
app_data = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-data/*"}
    ],
}
ec2_trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
mfa_trust = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
deploy_inline = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "StacksInIreland",
            "Effect": "Allow",
            "Action": "cloudformation:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }
    ],
}
alice_inline = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:ChangePassword", "iam:GetUser"],
            "Resource": f"arn:aws:iam::{A}:user/${{aws:username}}",
        }
    ],
}
group_inline = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}],
}

doc = {
    "UserDetailList": [
        {
            "Path": "/",
            "UserName": "alice",
            "UserId": "AIDAEXAMPLEALICE00001",
            "Arn": f"arn:aws:iam::{A}:user/alice",
            "CreateDate": "2021-03-04T10:11:12+00:00",
            "UserPolicyList": [{"PolicyName": "self-service", "PolicyDocument": alice_inline}],
            "GroupList": ["developers"],
            "AttachedManagedPolicies": [],
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": f"arn:aws:iam::{A}:policy/boundaries/DeveloperBoundary",
            },
            "Tags": [
                {"Key": "team", "Value": "payments"},
                {"Key": "cost-centre", "Value": "cc-42"},
            ],
        },
        {
            "Path": "/ops/",
            "UserName": "bob",
            "UserId": "AIDAEXAMPLEBOB000001",
            "Arn": f"arn:aws:iam::{A}:user/ops/bob",
            "CreateDate": "2020-11-30T08:00:00Z",
            "UserPolicyList": [],
            "GroupList": ["developers", "operators"],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "ReadOnlyAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                }
            ],
            "Tags": [],
        },
        {
            "Path": "/",
            "UserName": "ci",
            "UserId": "AIDAEXAMPLECI0000001",
            "Arn": f"arn:aws:iam::{A}:user/ci",
            "CreateDate": "2022-06-01T12:00:00+00:00",
            "UserPolicyList": [],
            "GroupList": [],
            "AttachedManagedPolicies": [
                {"PolicyName": "AppData", "PolicyArn": f"arn:aws:iam::{A}:policy/AppData"}
            ],
        },
    ],
    "GroupDetailList": [
        {
            "Path": "/",
            "GroupName": "developers",
            "GroupId": "AGPAEXAMPLEDEVS00001",
            "Arn": f"arn:aws:iam::{A}:group/developers",
            "CreateDate": "2020-01-15T09:30:00+00:00",
            "GroupPolicyList": [
                {"PolicyName": "see-instances", "PolicyDocument": enc(group_inline)}
            ],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "DeveloperAccess",
                    "PolicyArn": f"arn:aws:iam::{A}:policy/DeveloperAccess",
                }
            ],
        },
        {
            "Path": "/ops/",
            "GroupName": "operators",
            "GroupId": "AGPAEXAMPLEOPS000001",
            "Arn": f"arn:aws:iam::{A}:group/ops/operators",
            "CreateDate": "2020-01-15T09:31:00+00:00",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [],
        },
    ],
    "RoleDetailList": [
        {
            "Path": "/service/",
            "RoleName": "app-server",
            "RoleId": "AROAEXAMPLEAPPSRV001",
            "Arn": f"arn:aws:iam::{A}:role/service/app-server",
            "CreateDate": "2021-05-05T05:05:05+00:00",
            "AssumeRolePolicyDocument": enc(ec2_trust),
            "InstanceProfileList": [
                {
                    "Path": "/service/",
                    "InstanceProfileName": "app-server",
                    "InstanceProfileId": "AIPAEXAMPLEAPPSRV001",
                    "Arn": f"arn:aws:iam::{A}:instance-profile/service/app-server",
                    "CreateDate": "2021-05-05T05:05:06+00:00",
                    "Roles": [
                        {
                            "Path": "/service/",
                            "RoleName": "app-server",
                            "RoleId": "AROAEXAMPLEAPPSRV001",
                            "Arn": f"arn:aws:iam::{A}:role/service/app-server",
                            "CreateDate": "2021-05-05T05:05:05+00:00",
                            "AssumeRolePolicyDocument": enc(ec2_trust),
                        }
                    ],
                }
            ],
            "RolePolicyList": [],
            "AttachedManagedPolicies": [
                {"PolicyName": "AppData", "PolicyArn": f"arn:aws:iam::{A}:policy/AppData"}
            ],
            "Tags": [{"Key": "tier", "Value": "web"}],
            "RoleLastUsed": {"LastUsedDate": "2026-11-27T18:22:11+00:00", "Region": "eu-west-1"},
        },
        {
            "Path": "/",
            "RoleName": "deployer",
            "RoleId": "AROAEXAMPLEDEPLOY001",
            "Arn": f"arn:aws:iam::{A}:role/deployer",
            "CreateDate": "2022-02-02T02:02:02+00:00",
            "AssumeRolePolicyDocument": mfa_trust,
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "stacks", "PolicyDocument": enc(deploy_inline)}],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "ReadOnlyAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                }
            ],
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": f"arn:aws:iam::{A}:policy/boundaries/DeveloperBoundary",
            },
            "Tags": [],
            "RoleLastUsed": {},
        },
    ],
    "Policies": [
        {
            "PolicyName": "AppData",
            "PolicyId": "ANPAEXAMPLEAPPDATA01",
            "Arn": f"arn:aws:iam::{A}:policy/AppData",
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 2,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": "2021-05-05T05:00:00+00:00",
            "UpdateDate": "2021-05-05T05:00:00+00:00",
            "PolicyVersionList": [
                {
                    "Document": app_data,
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": "2021-05-05T05:00:00+00:00",
                }
            ],
        },
        {
            "PolicyName": "DeveloperAccess",
            "PolicyId": "ANPAEXAMPLEDEVACC001",
            "Arn": f"arn:aws:iam::{A}:policy/DeveloperAccess",
            "Path": "/",
            "DefaultVersionId": "v2",
            "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "Description": "What developers may do with the application's data",
            "CreateDate": "2020-01-15T09:00:00+00:00",
            "UpdateDate": "2023-09-01T14:00:00+00:00",
            "PolicyVersionList": [
                {
                    "Document": enc(dev_v3),
                    "VersionId": "v3",
                    "IsDefaultVersion": False,
                    "CreateDate": "2024-01-10T11:00:00+00:00",
                },
                {
                    "Document": dev_v2,
                    "VersionId": "v2",
                    "IsDefaultVersion": True,
                    "CreateDate": "2023-09-01T14:00:00+00:00",
                },
                {
                    "Document": enc(dev_v1),
                    "VersionId": "v1",
                    "IsDefaultVersion": False,
                    "CreateDate": "2020-01-15T09:00:00+00:00",
                },
            ],
        },
        {
            "PolicyName": "DeveloperBoundary",
            "PolicyId": "ANPAEXAMPLEBOUNDARY1",
            "Arn": f"arn:aws:iam::{A}:policy/boundaries/DeveloperBoundary",
            "Path": "/boundaries/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 2,
            "IsAttachable": True,
            "CreateDate": "2020-01-15T09:00:00+00:00",
            "UpdateDate": "2020-01-15T09:00:00+00:00",
            "PolicyVersionList": [
                {
                    "Document": enc(boundary),
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": "2020-01-15T09:00:00+00:00",
                }
            ],
        },
        {
            "PolicyName": "ReadOnlyAccess",
            "PolicyId": "ANPAILL3HVNFSB6DCOWYQ",
            "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 2,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": "2015-02-06T18:39:48+00:00",
            "UpdateDate": "2015-02-06T18:39:48+00:00",
            "PolicyVersionList": [
                {
                    "Document": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}
                        ],
                    },
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": "2015-02-06T18:39:48+00:00",
                }
            ],
        },
    ],
}
Path(__file__).with_name("authorization-details.json").write_text(json.dumps(doc, indent=2) + "\n")
