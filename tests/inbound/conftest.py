import pytest

from tests.inbound.dovecot import dovecot_running


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Received files go to a temporary folder, never into the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def imap_server():
    yield from dovecot_running()


@pytest.fixture
def imap_tls_server():
    yield from dovecot_running(tls=True)
