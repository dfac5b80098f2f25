"""An S3 bucket in a stack that sets no aws:region."""

import pulumi_aws as aws

aws.s3.Bucket("data")
