"""A managed policy that allows everything (native provider): security-iam-no-wildcard must reject it."""

import pulumi_aws_native as aws_native

aws_native.iam.ManagedPolicy(
    "admin",
    policy_document={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
)
