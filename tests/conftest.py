import datetime
import os
import shutil
import time
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from tests import factories

# The whole suite can run with the clock travelled to a boundary (a month's or year's end, a DST
# night) and with the machine's own zone differing from TIME_ZONE:
#   RECOVERY_TEST_NOW=2027-01-01T00:30  (a wall time in TIME_ZONE, or an ISO time with an offset)
#   RECOVERY_TEST_TZ=Pacific/Auckland   (TZ itself would not do: Django sets TZ to TIME_ZONE)
TRAVEL_TO = os.environ.get("RECOVERY_TEST_NOW", "").strip()
MACHINE_ZONE = os.environ.get("RECOVERY_TEST_TZ", "").strip()
# Chromium, Celery workers, database restarts... run on the real clock in other processes; a
# travelled clock in this one would disagree with theirs about every deadline.
OTHER_PROCESSES = ("slow", "browser")
# What these check does not depend on the date (the import graph, settings and packaging, the
# schema, the bench scripts, a dump and restore, who may open which page): the travelled runs leave
# them to the main run.
CLOCKLESS = (
    "tests/security/",
    "tests/test_layers.py",
    "tests/test_settings.py",
    "tests/test_production_build.py",
    "tests/test_compose.py",
    "tests/api/test_schema.py",
    "tests/bench/",
    "tests/ops/test_backup_restore.py",
)


def travel_destination(value: str) -> datetime.datetime:
    instant = datetime.datetime.fromisoformat(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return instant


def pytest_configure(config):
    # WhiteNoise warns when STATIC_ROOT does not exist yet (nothing is collected in tests).
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    # CI must exercise the real database: a silent fallback to SQLite would hide real bugs.
    if os.environ.get("REQUIRE_POSTGRES") and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL.")
    if TRAVEL_TO:
        # A timestamp rather than the aware time: time-machine would otherwise set TZ as well.
        instant = travel_destination(TRAVEL_TO)
        config._recovery_travel = time_machine.travel(instant.timestamp(), tick=True)
        config._recovery_travel.start()

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker != "gw0" and settings.REDIS_URL:
        _own_redis_database(int(worker[2:]))

    # Runs side by side (travelled runs, xdist workers) share one Redis, and their test databases
    # hand out the same primary keys: keep their throttle counts and who-is-on-which-case apart.
    # The configuration cache stays shared: its epoch is per database already, and the worker
    # processes of the slow tests must see the same one.
    apart = "-".join(
        filter(None, [run_suffix() if TRAVEL_TO else "", os.environ.get("PYTEST_XDIST_WORKER", "")])
    )
    for alias in ("api", "presence"):
        if apart and "KEY_PREFIX" in settings.CACHES.get(alias, {}):
            settings.CACHES[alias]["KEY_PREFIX"] += f"-{apart}"

    _flush_only_tables_with_rows()


def _own_redis_database(number: int) -> None:
    """A Redis database of this xdist worker's own, as broker and caches, for it and the Celery
    workers its tests start: on a shared broker, a worker started by one xdist worker's test takes
    tasks published by the other's and runs them against the wrong test database. The travelled
    runs take databases 2 and 3 (Makefile); xdist workers after the first take 4, 8, 12 on."""
    base, _, db = settings.REDIS_URL.rpartition("/")
    if not db.isdigit():
        return
    own = f"{base}/{(int(db) + 4 * number) % 16}"
    os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = own
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("RedisCache"):
            cache["LOCATION"] = own
    from recovery.celery import app

    app.conf.broker_url = own


def _flush_only_tables_with_rows():
    """A transactional test ends with a flush: TRUNCATE of every table, 1.5-2.5 s for a hundred
    tables on PostgreSQL (new files for each, and for every table pointing at them). A test fills a
    handful: ask which tables hold rows (one query) and delete those rows, with triggers (foreign
    keys, the append-only guards) off for that transaction only. Without the right to do that (a
    test database owner who is not a superuser), Django's TRUNCATE as before."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate_all = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
            if not (tables and superuser and not reset_sequences):
                return truncate_all(
                    self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
                )
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.quote_name(t)})" for t in tables
                ),
                list(tables),
            )
            filled = [row[0] for row in cursor.fetchall()]
        if not filled:
            return []
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(t)}" for t in filled
        ]

    DatabaseOperations.sql_flush = sql_flush


def pytest_unconfigure(config):
    travel = getattr(config, "_recovery_travel", None)
    if travel is not None:
        travel.stop()


def run_suffix() -> str:
    return "at_" + travel_destination(TRAVEL_TO).strftime("%Y%m%dT%H%M")


def pytest_report_header(config):
    if TRAVEL_TO:
        instant = travel_destination(TRAVEL_TO)
        zone = MACHINE_ZONE or os.environ.get("TZ", "")
        return f"clock travelled to {instant.isoformat()} (ticking); machine zone {zone or 'unchanged'}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not TRAVEL_TO:
        return
    skip = pytest.mark.skip(
        reason="runs other processes on the real clock: excluded from runs with RECOVERY_TEST_NOW"
    )
    clockless = pytest.mark.skip(reason="does not depend on the date: left to the run on the real clock")
    root = config.rootpath
    for item in items:
        if any(item.get_closest_marker(name) for name in OTHER_PROCESSES):
            item.add_marker(skip)
        elif item.path.relative_to(root).as_posix().startswith(CLOCKLESS):
            item.add_marker(clockless)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The default SLA policies, installed once in each test database as `make run` installs them:
    opening a case would otherwise install them in every test that opens one (0.5 s of its 0.6 s
    of setup). A transactional test's flush removes them; the next case opened installs them again."""
    from sla.policies import policies_ensure_defaults

    with django_db_blocker.unblock():
        policies_ensure_defaults()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # A travelled run gets test databases of its own, so it can run beside the normal one.
    if TRAVEL_TO:
        for db_settings in settings.DATABASES.values():
            if db_settings["ENGINE"] == "django.db.backends.sqlite3":
                continue
            test = db_settings.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + db_settings['NAME']}_{run_suffix()}"


@pytest.fixture(autouse=True)
def machine_zone():
    # Django points TZ at TIME_ZONE when settings load (and again after override_settings):
    # put the machine's own zone back before every test, so naive local time shows up as wrong.
    if MACHINE_ZONE and os.environ.get("TZ") != MACHINE_ZONE:
        os.environ["TZ"] = MACHINE_ZONE
        time.tzset()


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


@pytest.fixture(autouse=True)
def fresh_configuration():
    # Each test's rows are rolled back behind the configuration cache (cases.config): a policy or
    # a subscription one test created must not linger in the next one's process memory.
    from cases import config

    config.forget_all()
    yield
    config.forget_all()
