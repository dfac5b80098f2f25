"""Image: the ECR repository and the API's container image, built from ./Dockerfile and pushed.

Creates an ECR repository (scan on push, AES-256 encryption at rest, a lifecycle policy that expires
untagged images one day after push and keeps only the newest `keep_tagged` tagged images) and the
image built for `platform` (linux/arm64 by default) with `awsx.ecr.Image`.

Why `awsx.ecr.Image` rather than the docker-build provider directly: awsx 3.x builds with
docker-build underneath (BuildKit, `platforms`, inline registry cache) and already does the two
fiddly parts itself: it fetches ECR credentials for the push and returns the image URI pinned by
digest (`<repository>@sha256:...`, see awsx/ecr/image.ts `computeImageFromAsset`). The task
definition therefore changes exactly when the image content changes. Using docker-build directly
would mean wiring `aws.ecr.get_authorization_token` into `registries` and assembling that URI by hand.

**Cost**: ECR storage $0.10/GB-month. A slim Python image is ~60-80 MB compressed, so with the
default of 5 tagged images kept and untagged ones gone after a day this is about $0.04/month.
Pulls by tasks in the same region are free of transfer charges; scan on push (basic scanning) is
free. No KMS key (AES-256 is ECR-managed), so no $1/month key charge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx


@dataclass
class ImageArgs:
    keep_tagged: int = 5
    platform: str = "linux/arm64"
    context: str = "."
    dockerfile: str = "./Dockerfile"
    # Delete the repository even when it holds images (off when the stack protects its data).
    force_delete: bool = True


def lifecycle_policy(keep_tagged: int) -> str:
    """The ECR lifecycle policy document (rule priorities: untagged first, then tagged)."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "Expire untagged images one day after push",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 1,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the newest {keep_tagged} tagged images",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["*"],
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_tagged,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )


class Image(pulumi.ComponentResource):
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    image_uri: pulumi.Output[str]

    def __init__(self, name: str, args: ImageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Image", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        repository = aws.ecr.Repository(
            f"{name}-repo",
            # awsx tags every build of one stack with the same name, so the tag must be movable.
            image_tag_mutability="MUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "AES256"}],
            force_delete=args.force_delete,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository.name,
            policy=lifecycle_policy(args.keep_tagged),
            opts=child,
        )
        image = awsx.ecr.Image(
            f"{name}-image",
            repository_url=repository.repository_url,
            context=args.context,
            dockerfile=args.dockerfile,
            platform=args.platform,
            opts=child,
        )

        self.repository_url = repository.repository_url
        self.repository_arn = repository.arn
        self.image_uri = image.image_uri
        self.register_outputs(
            {
                "repositoryUrl": self.repository_url,
                "repositoryArn": self.repository_arn,
                "imageUri": self.image_uri,
            }
        )
