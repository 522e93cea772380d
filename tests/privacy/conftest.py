import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored mail and attachments go to a temporary folder the test can walk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
