"""Fixtures for the fault suite: real processes we can break on purpose.

Each fixture starts its own servers (a Redis, a PostgreSQL cluster, Celery workers, gunicorn) in
their own process groups and stops them by PID when the test ends, so the machine's shared
PostgreSQL and Redis are never touched.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from sla.clocks import checkpoints
from sla.models import EscalationStep, Policy, Target
from sla.policies import policies_ensure_defaults
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = None
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        reason = "needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)"
    for item in items:
        if item.path.parent == here:
            item.add_marker(pytest.mark.slow)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def missing(what: str) -> None:
    # CI runs with REQUIRE_POSTGRES: there a missing server binary is a failure, not a silent skip.
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail(f"the fault suite needs {what}")
    pytest.skip(f"needs {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def report(test: str, **figures) -> str:
    """Print what a test did and counted, and keep the line for docs/reliability.md."""
    line = f"[faults] {test}: " + ", ".join(f"{key}={value}" for key, value in figures.items())
    print(line)
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "faults.txt", "a") as fh:
        fh.write(line + "\n")
    return line


class Process:
    """A child in its own session, so a signal reaches the whole group (celery's pool, gunicorn's
    workers) and nothing it forked outlives the test."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: Path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(self.log_path, "a")  # noqa: SIM115 - the child keeps it; closed on stop
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no shutdown handler runs, nothing is acknowledged."""
        self._signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if not self.alive:
            self._signal(signal.SIGKILL)  # a dead leader may leave children in its group
            return
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.popen.wait(timeout=10)
        self._signal(signal.SIGKILL)

    def _signal(self, sig) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return ""


@pytest.fixture
def processes():
    """Start a Process; every one still running is stopped, newest first, when the test ends."""
    started: list[Process] = []

    def start(name, argv, env, log_path) -> Process:
        process = Process(name, argv, env, log_path).start()
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()


def db_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def app_env(*, database_url: str, redis_url: str, mailbox: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recovery.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        "SECRET_KEY": "faults-test-only",
        "SLA_SWEEP_SECONDS": "1",
        "NOTIFY_DELIVER_SECONDS": "1",
        "EMAIL_BACKEND": "tests.faults.mailbox.EmailBackend",
        "FAULTS_MAILBOX": str(mailbox),
        "PYTHONUNBUFFERED": "1",
        **{key: str(value) for key, value in extra.items()},
    }


class RedisServer:
    """Our own redis-server, which a test may stop and start again on the same port."""

    def __init__(self, start, workdir: Path):
        self._start, self.workdir = start, workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)]
        self.process = self._start("redis", argv, dict(os.environ), self.workdir / "redis.log")
        assert wait_for(self.ping, 10, 0.05), self.process.log()

    def stop(self) -> None:
        self.process.stop()
        assert wait_for(lambda: not self.ping(), 10, 0.05)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(processes, tmp_path):
    if not shutil.which("redis-server"):
        missing("the redis-server binary")
    server = RedisServer(processes, tmp_path)
    server.start()
    return server


@pytest.fixture
def mailbox(tmp_path) -> Path:
    return tmp_path / "mailbox.jsonl"


@pytest.fixture
def start_worker(processes, tmp_path, mailbox):
    """A Celery worker, with an embedded beat by default, on the test database."""

    def start(name: str, *, redis_url: str, beat: bool = True, database_url: str | None = None, **env):
        argv = [sys.executable, "-m", "celery", "-A", "recovery", "worker", "--concurrency=2"]
        argv += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
        if beat:
            argv += ["-B", "-s", str(tmp_path / f"beat-{name}")]
        environment = app_env(
            database_url=database_url or db_url(), redis_url=redis_url, mailbox=mailbox, **env
        )
        return processes(name, argv, environment, tmp_path / f"{name}.log")

    return start


class WebServer:
    def __init__(self, process: Process, port: int):
        self.process, self.url = process, f"http://127.0.0.1:{port}"

    def session(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A logged-in browser-like session (cookie + CSRF token), through the real login form."""
        http = requests.Session()
        http.get(f"{self.url}/login/", timeout=10)
        response = http.post(
            f"{self.url}/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": http.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]
        return http

    def post(self, http: requests.Session, path: str, data: dict, timeout: float = 10) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": http.cookies["csrftoken"]}
        return http.post(f"{self.url}{path}", data=data, allow_redirects=False, timeout=timeout)


@pytest.fixture
def start_web(processes, tmp_path, mailbox):
    """gunicorn (2 sync workers) serving the app; returns once /healthz answers."""

    def start(*, redis_url: str, database_url: str | None = None, **env) -> WebServer:
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "recovery.wsgi:application", "-b", f"127.0.0.1:{port}"]
        argv += ["-w", "2", "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-"]
        environment = app_env(
            database_url=database_url or db_url(), redis_url=redis_url, mailbox=mailbox, **env
        )
        process = processes("web", argv, environment, tmp_path / "web.log")
        server = WebServer(process, port)

        def up() -> bool:
            try:
                return requests.get(f"{server.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(up, 30, 0.2), process.log()
        return server

    return start


class PostgresCluster:
    """A throw-away PostgreSQL cluster of our own, which a test may stop and start."""

    def __init__(self, datadir: Path, port: int):
        self.datadir, self.port = datadir, port
        self.url = f"postgres://postgres@127.0.0.1:{port}/recovery"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        # PostgreSQL refuses to run as root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, timeout=timeout, capture_output=True)

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.datadir / "data"),
            "-o",
            options,
            "-l",
            str(self.datadir / "log"),
            "-w",
            *extra,
            action,
        )

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.datadir / "data"), "-U", "postgres", "--auth=trust")
        self.pg_ctl("start")
        self._run(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "recovery"
        )

    def log(self) -> str:
        try:
            return (self.datadir / "log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""


@pytest.fixture
def postgres_cluster():
    if not (PG_BIN / "initdb").exists():
        missing(f"PostgreSQL server binaries in {PG_BIN}")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            missing("a postgres system user to run a cluster as")
    # Not under pytest's tmp_path: the postgres user must be able to reach it.
    datadir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    if os.geteuid() == 0:
        os.chown(datadir, owner.pw_uid, owner.pw_gid)
    cluster = PostgresCluster(datadir, free_port())
    try:
        cluster.init()
        yield cluster
    finally:
        pid_file = datadir / "data" / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
                wait_for(lambda: not Path(f"/proc/{pid}").exists(), 20, 0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(datadir, ignore_errors=True)


def policy_one_minute(*, channel: str, warn_percent: int, actions: tuple[str, ...]) -> Policy:
    """A 24/7 first-response target of one minute for one channel, its warning, and one
    escalation level per action, all at the breach."""
    policies_ensure_defaults()
    policy = Policy.objects.create(name=f"Faults: {channel} in one minute", channel=channel)
    target = Target.objects.create(
        policy=policy,
        kind="first_response",
        minutes=1,
        business_hours=False,
        warnings=[{"percent": warn_percent}],
    )
    for level, action in enumerate(actions, start=1):
        EscalationStep.objects.create(
            target=target, level=level, base="breach", offset_minutes=0, action=action
        )
    return policy


def due_levels(clocks, *, by) -> set[tuple[int, str]]:
    """Every (clock, level) that should have fired by the instant `by`."""
    return {(clock.pk, point.level) for clock in clocks for point in checkpoints(clock) if point.at <= by}
