"""Image component alone under mocks."""

import json

from components.image import Image, ImageArgs


def build(stack, **kwargs):
    holder = {}
    stack.run(lambda: holder.setdefault("image", Image("img", ImageArgs(**kwargs))).image_uri)
    return holder["image"]


def test_repository_scans_and_encrypts(stack):
    build(stack)
    repo = stack.one("aws:ecr/repository:Repository")
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]
    assert repo.inputs["imageTagMutability"] == "MUTABLE"


def test_lifecycle_expires_untagged_after_a_day_and_keeps_n_tagged(stack):
    build(stack, keep_tagged=3)
    policy = json.loads(stack.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])
    assert policy == {
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
                "description": "Keep the newest 3 tagged images",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 3,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def test_image_built_for_arm64_from_the_dockerfile(stack):
    build(stack)
    image = stack.one("awsx:ecr:Image")
    assert image.inputs["platform"] == "linux/arm64"
    assert image.inputs["dockerfile"] == "./Dockerfile"
    assert image.inputs["context"] == "."
    assert image.inputs["repositoryUrl"].endswith(
        ".dkr.ecr.eu-west-1.amazonaws.com/" + image.inputs["repositoryUrl"].split("/")[-1]
    )


def test_exported_uri_is_digest_pinned(stack):
    holder = {}

    def make():
        holder["image"] = Image("img", ImageArgs())
        return holder["image"].image_uri.apply(lambda uri: holder.setdefault("uri", uri))

    stack.run(make)
    assert "@sha256:" in holder["uri"]
    assert ":latest" not in holder["uri"]


def test_force_delete_follows_protection(stack):
    build(stack, force_delete=False)
    assert stack.one("aws:ecr/repository:Repository").inputs["forceDelete"] is False
