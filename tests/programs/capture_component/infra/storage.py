"""A local component resource with children, nested one level."""

import pulumi
import pulumi_aws as aws


class Storage(pulumi.ComponentResource):
    def __init__(self, name: str, count: int, tags: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__("capture:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.logs = aws.s3.BucketV2(f"{name}-logs", tags=tags, force_destroy=True, opts=child)
        self.buckets = [
            aws.s3.BucketV2(
                f"{name}-{i}", tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[self.logs])
            )
            for i in range(count)
        ]
        self.register_outputs({"logs": self.logs.bucket})
