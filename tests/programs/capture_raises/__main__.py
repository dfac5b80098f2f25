"""Creates one bucket, then fails the way a validation in a program does."""

import pulumi_aws as aws

aws.s3.BucketV2("ok")


def check(cpu: int) -> None:
    if cpu not in (256, 512):
        raise ValueError(f"cpu {cpu} is not a Fargate size")


check(300)
