"""The wire layer: the AWS Query protocol, driven by botocore's service models.

One generic implementation serves every IAM and STS operation: `ServiceProtocol.load("iam")`
parses Query requests into botocore-style input (validated by the model's constraints) and
serialises output dicts and `AWSError`s into the XML botocore expects.
"""

from stockade.protocol.errors import AWSError
from stockade.protocol.service import ServiceProtocol

__all__ = ["AWSError", "ServiceProtocol"]
