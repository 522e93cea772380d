import os
import shutil

import pytest
from django.conf import settings

from tests import factories


def pytest_configure(config):
    # WhiteNoise warns when STATIC_ROOT does not exist yet (nothing is collected in tests).
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    # CI must exercise the real database: a silent fallback to SQLite would hide real bugs.
    if os.environ.get("REQUIRE_POSTGRES") and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here: apt-get install -y chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def team(db):
    return factories.TeamFactory(name="Front desk")


@pytest.fixture
def other_team(db):
    return factories.TeamFactory(name="Online orders")


@pytest.fixture
def agent(team):
    return factories.UserFactory(username="ava", role="agent", teams=[team])


@pytest.fixture
def lead(team):
    return factories.UserFactory(username="lee", role="team_lead", teams=[team])


@pytest.fixture
def manager(db):
    return factories.UserFactory(username="max", role="manager")


@pytest.fixture
def case(agent, team):
    return factories.open_case(actor=agent, team=team)


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs seconds per user created. Slow
    # tests log in to real server processes, which only know the production hashers.
    if request.node.get_closest_marker("slow") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
