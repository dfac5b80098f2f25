import pytest


@pytest.fixture(autouse=True)
def _no_region_in_the_environment(monkeypatch):
    """costguard falls back to AWS_REGION / AWS_DEFAULT_REGION as the AWS provider does: tests that
    want them set them; none inherits the developer's shell (subprocesses see the same os.environ)."""
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "COSTGUARD_DEBUG"):
        monkeypatch.delenv(key, raising=False)
