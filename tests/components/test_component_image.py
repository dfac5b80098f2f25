"""Image component alone under mocks."""

import json
import re
from pathlib import Path

import pulumi

from components.image import Image, ImageArgs, awsx_child_name, context_files, source_tag

ROOT = Path(__file__).resolve().parents[2]


def build(stack, **kwargs):
    holder = {}
    stack.run(lambda: holder.setdefault("image", Image("img", ImageArgs(**kwargs))).image_uri)
    return holder["image"]


def test_repository_scans_and_encrypts(stack):
    build(stack)
    repo = stack.one("aws:ecr/repository:Repository")
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]
    # Tags are content hashes now: a tag moves only when the same sources are built again.
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


def test_image_built_for_arm64_from_the_dockerfile_and_pushed(stack):
    build(stack)
    image = stack.one("docker-build:index:Image")
    repository_url = stack.one("aws:ecr/repository:Repository").outputs["repositoryUrl"]
    assert image.inputs["platforms"] == ["linux/arm64"]
    assert image.inputs["dockerfile"] == {"location": "./Dockerfile"}
    assert image.inputs["context"] == {"location": "."}
    assert image.inputs["push"] is True
    assert image.inputs["registries"] == [{"address": repository_url, "username": "AWS", "password": "token"}]
    assert not stack.of_type("awsx:ecr:Image")


def test_every_build_gets_its_own_content_derived_tag(stack):
    # awsx.ecr.Image tags every build of a stack alike (createUniqueImageName hashes the context *path*,
    # the Dockerfile path, build args and the stack name), so each push untagged the previous digest,
    # which the untagged rule expired after a day. The tag is now a hash of the build's content.
    build(stack)
    image = stack.one("docker-build:index:Image")
    repository_url = stack.one("aws:ecr/repository:Repository").outputs["repositoryUrl"]
    tag = source_tag(ROOT, "./Dockerfile", "linux/arm64")
    assert re.fullmatch(r"src-[0-9a-f]{24}", tag)
    assert image.inputs["tags"] == [f"{repository_url}:{tag}"]
    # Stable resource name: a new tag is an update of one docker-build Image, never a new resource
    # whose predecessor's delete would remove the previous digest from the registry.
    assert image.name == "img-image"


def context(tmp_path, **files):
    (tmp_path / ".dockerignore").write_text("*\n!app/\napp/**/__pycache__\napp/**/*.pyc\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app/ /app/\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print('hi')\n")
    (tmp_path / "app" / "requirements.txt").write_text("fastapi\n")
    for name, text in files.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_tag_follows_the_image_content(tmp_path):
    root = context(tmp_path)
    before = source_tag(root, "./Dockerfile", "linux/arm64")
    assert source_tag(root, "./Dockerfile", "linux/arm64") == before  # deterministic
    # Files the .dockerignore keeps out of the context do not change it ...
    (root / "README.md").write_text("docs")
    (root / "app" / "__pycache__").mkdir()
    (root / "app" / "__pycache__" / "main.cpython-312.pyc").write_bytes(b"\0")
    (root / ".venv").mkdir()
    (root / ".venv" / "x.py").write_text("x")
    assert source_tag(root, "./Dockerfile", "linux/arm64") == before
    # ... the app's code, its requirements, the Dockerfile and the platform do.
    seen = {before}
    (root / "app" / "main.py").write_text("print('hello')\n")
    seen.add(source_tag(root, "./Dockerfile", "linux/arm64"))
    (root / "app" / "requirements.txt").write_text("fastapi==0.115\n")
    seen.add(source_tag(root, "./Dockerfile", "linux/arm64"))
    (root / "Dockerfile").write_text("FROM scratch\nCOPY app/ /srv/app/\n")
    seen.add(source_tag(root, "./Dockerfile", "linux/arm64"))
    seen.add(source_tag(root, "./Dockerfile", "linux/amd64"))
    (root / "app" / "new.py").write_text("")
    seen.add(source_tag(root, "./Dockerfile", "linux/amd64"))
    assert len(seen) == 6


def test_build_context_follows_dockerignore(tmp_path):
    root = context(tmp_path, app__sub__mod_py="x", app__sub__cache__pyc="x")
    (root / "app" / "sub" / "__pycache__").mkdir()
    (root / "app" / "sub" / "__pycache__" / "m.pyc").write_text("x")
    (root / "notes.txt").write_text("x")
    assert context_files(root) == [
        "app/main.py",
        "app/requirements.txt",
        "app/sub/cache/pyc",
        "app/sub/mod_py",
    ]


def test_this_repository_context_is_app_only():
    files = context_files(ROOT)
    assert "app/requirements.txt" in files and "app/main.py" in files
    assert all(f.startswith("app/") and "__pycache__" not in f and not f.endswith(".pyc") for f in files)


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


def test_first_up_after_awsx_updates_awsx_child_in_place(stack, monkeypatch):
    # Without the alias the engine would delete awsx's docker-build child, and docker-build's Delete
    # removes the running digest from the registry.
    import pulumi_docker_build

    seen = {}

    class Recording(pulumi_docker_build.Image):
        def __init__(self, resource_name, *args, opts=None, **kwargs):
            seen["aliases"] = opts.aliases
            super().__init__(resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(pulumi_docker_build, "Image", Recording)
    holder = {}

    def make():
        image = Image("img", ImageArgs())
        return pulumi.Output.all(image.urn, *seen["aliases"]).apply(
            lambda urns: holder.setdefault("urns", urns)
        )

    stack.run(make)
    # awsx/ecr/image.ts: sha1(".;dockerfile=./Dockerfile" + stack)[:8] + "-container", a child of the awsx
    # component "img-image", itself a child of this component (urn:pulumi:dev::safety-heatmap::
    # safety-heatmap:index:Image$awsx:ecr:Image$docker-build:index:Image::edeef6c9-container in the engine).
    assert awsx_child_name("dev", ".", "./Dockerfile") == "edeef6c9-container"
    component, alias = holder["urns"]
    stem, _ = component.rsplit("::", 1)
    assert alias == f"{stem}$awsx:ecr:Image$docker-build:index:Image::edeef6c9-container"
