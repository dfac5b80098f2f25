"""Image: the ECR repository and the API's container image, built from ./Dockerfile and pushed.

Creates an ECR repository (scan on push, AES-256 encryption at rest, a lifecycle policy that expires
untagged images one day after push and keeps only the newest `keep_tagged` tagged images) and the
image built for `platform` (linux/arm64 by default) with the docker-build provider, pushed under a tag
derived from its content (`src-<hash>`, see `source_tag`) and exported pinned by digest
(`<repository>@sha256:...`), so the task definition changes exactly when the image does.

Why docker-build directly and not `awsx.ecr.Image` (which builds with docker-build underneath):
- awsx tags every build of a stack alike: without `imageTag` the tag is a hash of the context *path*,
  the Dockerfile path, build args and the stack name (awsx/ecr/image.ts, `createUniqueImageName`),
  not of the content. Each push moved that one tag, left the previous digest untagged, and the
  untagged rule expired it after a day, so "keep the newest N tagged" kept one image, and a deployment
  circuit-breaker rollback to the previous task definition (pinned to that digest) could find it gone.
- passing awsx a per-build `imageTag` does not help: awsx names its docker-build child after the tag
  (`new docker.Image(imageName, ...)`), so every build would be a new child and the old child's delete
  deletes its digest from the registry (docker-build provider/internal/image.go `Delete` ->
  client.go `Delete`: `rc.ManifestDelete` on `<tag>@<digest>`), which is the rollback image.
Here the docker-build Image keeps one name; a new tag is an update (its Diff marks `tags` as an
update, and Update builds and pushes without deleting anything), the previous tagged digest stays and
the lifecycle policy keeps the newest N. The ECR login is `aws.ecr.get_authorization_token` passed
as `registries` (docker-build docs, example "Push to AWS ECR with caching"). No registry cache: a
cache manifest would be one more image in the repository; BuildKit's local cache still applies.

The tag is computed in Python from what the build reads: the Dockerfile, the `.dockerignore`, the
platform and every file of the context that the `.dockerignore` lets in (path, executable bit,
content). For this repository that is `app/` without caches: a few dozen small files, hashed in a
few milliseconds, the same on every machine, so a plan under mocks stays fast and deterministic.
The tag moves only when the same sources are built again (a rebuild after a base-image change, for
example); the repository stays MUTABLE so that such a rebuild does not fail the deployment.

The first `pulumi up` after the move from awsx aliases this image to awsx's old child resource, so it
is updated in place rather than deleted (which would delete the running digest).

**Cost**: ECR storage $0.10/GB-month. A slim Python image is ~60-80 MB compressed, so with the
default of 5 tagged images kept and untagged ones gone after a day this is about $0.04/month.
Pulls by tasks in the same region are free of transfer charges; scan on push (basic scanning) is
free. No KMS key (AES-256 is ECR-managed), so no $1/month key charge.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

TAG_PREFIX = "src-"


@dataclass
class ImageArgs:
    keep_tagged: int = 5
    platform: str = "linux/arm64"
    context: str = "."
    dockerfile: str = "./Dockerfile"
    # Delete the repository even when it holds images (off when the stack protects its data; then the
    # pushed image is also kept when the stack is destroyed).
    force_delete: bool = True


def lifecycle_policy(keep_tagged: int) -> str:
    """The ECR lifecycle policy document (rule priorities: untagged first, then tagged).

    ECR User Guide, "Lifecycle policy properties": `tagStatus: tagged` needs `tagPatternList` or
    `tagPrefixList`; `["*"]` matches every tag, and `imageCountMoreThan` expires the images beyond
    the newest `countNumber` by push time, i.e. keeps the newest N tagged images.
    """
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


# --- the build context as Docker sends it (.dockerignore) ------------------------------------------------
# Docker's rules (Docker docs, ".dockerignore file"; moby/patternmatcher): one pattern per line, `#`
# comments, `!` re-includes, the last matching pattern wins, `*` and `?` stay within a path segment,
# `**` spans any number of segments, and a pattern that matches a directory matches all below it.


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out, i = out + "[" + ("^" + body[1:] if body.startswith("^") else body) + "]", end + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out, i = out + re.escape(pattern[i + 1]), i + 2
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    # A match on a directory covers everything below it.
    return re.compile(out + "(/.*)?")


def _ignore_rules(context: Path) -> list[tuple[bool, re.Pattern[str], str]]:
    """(re-include?, regex, cleaned pattern) per .dockerignore line."""
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    rules = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = os.path.normpath(line[1:].strip() if include else line).lstrip("/")
        if pattern in (".", ""):
            continue
        rules.append((include, _pattern_regex(pattern), pattern))
    return rules


def _excluded(relative: str, rules: list[tuple[bool, re.Pattern[str], str]]) -> bool:
    excluded = False
    for include, regex, _ in rules:
        if regex.fullmatch(relative):
            excluded = not include
    return excluded


def _may_include_below(directory: str, rules: list[tuple[bool, re.Pattern[str], str]]) -> bool:
    """Whether a `!` pattern could re-include something under an excluded directory."""
    depth = directory.count("/") + 1
    for include, _, pattern in rules:
        if not include:
            continue
        parts = pattern.split("/")
        if "**" in parts[:depth] or pattern.startswith("**"):
            return True
        prefix = "/".join(parts[:depth])
        if len(parts) > depth - 1 and _pattern_regex(prefix).fullmatch(directory):
            return True
    return False


def context_files(context: str | Path) -> list[str]:
    """Files (relative POSIX paths, sorted) of the build context that .dockerignore lets in."""
    root = Path(context)
    rules = _ignore_rules(root)
    found: list[str] = []
    for current, directories, files in os.walk(root):
        base = Path(current).relative_to(root).as_posix()
        base = "" if base == "." else base + "/"
        directories[:] = sorted(
            d
            for d in directories
            if not (_excluded(base + d, rules) and not _may_include_below(base + d, rules))
        )
        found.extend(base + f for f in files if not _excluded(base + f, rules))
    return sorted(found)


def source_tag(context: str | Path, dockerfile: str, platform: str) -> str:
    """`src-` + 24 hex digits of SHA-256 over the Dockerfile, .dockerignore, platform and context files."""
    root = Path(context)
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("platform", platform.encode())
    add("dockerfile", (root / dockerfile).read_bytes())
    ignore = root / ".dockerignore"
    add(".dockerignore", ignore.read_bytes() if ignore.is_file() else b"")
    for relative in context_files(root):
        path = root / relative
        if path.is_symlink():
            add(f"link:{relative}", os.readlink(path).encode())
        else:
            executable = "x" if os.access(path, os.X_OK) else "-"
            add(f"file:{executable}:{relative}", path.read_bytes())
    return TAG_PREFIX + digest.hexdigest()[:24]


def awsx_child_name(stack: str, context: str, dockerfile: str) -> str:
    """The name awsx.ecr.Image gave its docker-build child (awsx/ecr/image.ts, createUniqueImageName)."""
    signature = f"{context};dockerfile={dockerfile}{stack}"
    return hashlib.sha1(signature.encode()).hexdigest()[:8] + "-container"


class Image(pulumi.ComponentResource):
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    image_uri: pulumi.Output[str]
    image_tag: str

    def __init__(self, name: str, args: ImageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:Image", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        repository = aws.ecr.Repository(
            f"{name}-repo",
            # One tag per content; a tag moves only when the same sources are rebuilt (see above).
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

        self.image_tag = source_tag(args.context, args.dockerfile, args.platform)
        token = aws.ecr.get_authorization_token_output(
            registry_id=repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        # awsx.ecr.Image's child of the same image, for the one `pulumi up` that moves off awsx.
        old_child = awsx_child_name(pulumi.get_stack(), args.context, args.dockerfile)
        old_urn = self.urn.apply(
            lambda urn: (
                "::".join(urn.split("::")[:3]) + f"$awsx:ecr:Image$docker-build:index:Image::{old_child}"
            )
        )
        image = docker_build.Image(
            f"{name}-image",
            tags=[pulumi.Output.concat(repository.repository_url, ":", self.image_tag)],
            context={"location": args.context},
            dockerfile={"location": args.dockerfile},
            platforms=[args.platform],
            push=True,
            registries=[
                {
                    "address": repository.repository_url,
                    "username": token.user_name,
                    "password": token.password,
                }
            ],
            opts=pulumi.ResourceOptions(
                parent=self,
                aliases=[old_urn],
                # With the stack's data protected, destroying it leaves the pushed image in ECR too.
                retain_on_delete=not args.force_delete,
            ),
        )

        self.repository_url = repository.repository_url
        self.repository_arn = repository.arn
        self.image_uri = pulumi.Output.all(repository.repository_url, image.digest).apply(
            lambda values: f"{values[0]}@{values[1]}"
        )
        self.register_outputs(
            {
                "repositoryUrl": self.repository_url,
                "repositoryArn": self.repository_arn,
                "imageUri": self.image_uri,
                "imageTag": self.image_tag,
            }
        )
