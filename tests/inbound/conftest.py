import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Received files go to a temporary folder, never into the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
