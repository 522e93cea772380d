import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored mail and attachments go to a temporary folder the test can walk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def local_webhook_receiver(settings):
    """The seeded webhook subscription points at a receiver on this machine."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
