"""`manage.py serve` (what `make run` starts): Ctrl-C stops every process it started, quickly."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from recovery.supervisor import group_members

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def descendants(pid: int) -> dict[int, int]:
    """Every live process below `pid`, with its process group."""
    parent_of, group_of = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] not in {"Z", "X"}:
                parent_of[int(entry.name)], group_of[int(entry.name)] = int(fields[1]), int(fields[2])
    found, frontier = {}, [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parent_of.items():
            if parent == current and child not in found:
                found[child] = group_of[child]
                frontier.append(child)
    return found


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def serve_env(tmp_path):
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DEBUG="1", SECRET_KEY="test-only-secret", RECOVERY_VAR_DIR=str(tmp_path), SLA_SWEEP_SECONDS="2"
    )
    if db["ENGINE"].endswith("postgresql"):
        # The test database this test already created: no migrations to wait for.
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    else:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def start(env, *ports):
    web, smtp = ports
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(web), "--smtp-port",
         str(smtp), "--grace", "3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def test_ctrl_c_stops_the_web_server_the_worker_with_beat_and_the_mail_intake(serve_env, tmp_path):
    web, smtp = free_port(), free_port()
    supervisor = start(serve_env, web, smtp)
    try:
        # Given everything up: the page answers, mail is taken in, the worker is ready
        assert wait_for(lambda: answers(f"http://127.0.0.1:{web}/login/"), 90), "the page never answered"
        assert wait_for(lambda: accepts(smtp), 30), "the SMTP intake never listened"
        log = tmp_path / "celery.log"
        assert wait_for(lambda: log.exists() and "ready" in log.read_text(), 90), "the worker never got ready"
        worker_pid = int((tmp_path / "celery.pid").read_text())
        started = descendants(supervisor.pid)
        assert worker_pid in started and len(started) >= 6  # runserver x2, smtp, worker, its pool, beat

        # And a second run on the same var folder refuses to start beside the live worker
        second = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(free_port()), "--smtp-port", str(free_port())],
            cwd=ROOT, env=serve_env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode != 0
        assert f"still running (pid {worker_pid}" in second.stderr

        # When Ctrl-C reaches the supervisor
        pressed = time.monotonic()
        os.kill(supervisor.pid, signal.SIGINT)
        supervisor.wait(timeout=15)
        took = time.monotonic() - pressed
        said = supervisor.stdout.read().decode()

        # Then within a few seconds no process it started is left, by pid or by process group
        assert wait_for(lambda: not descendants(supervisor.pid), 2)
        left = [pid for pid in started if Path(f"/proc/{pid}").exists() and group_members(started[pid])]
        assert left == [] and all(group_members(pgid) == [] for pgid in set(started.values()))
        assert took < 8, f"stopping took {took:.1f} s:\n{said}"
        assert not (tmp_path / "celery.pid").exists()
        assert not answers(f"http://127.0.0.1:{web}/login/") and not accepts(smtp)
        print(
            f"[serve] {len(started)} processes gone {took:.1f} s after SIGINT; it said:",
            said.splitlines()[-2:],
        )
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
        for pid, pgid in descendants(supervisor.pid).items():
            os.killpg(pgid, signal.SIGKILL) if pgid != os.getpgid(0) else os.kill(pid, signal.SIGKILL)
