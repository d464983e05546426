"""Stockade: self-hosted identity and access management on the AWS IAM model."""

__version__ = "0.1.0"
