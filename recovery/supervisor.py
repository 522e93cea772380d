"""`manage.py serve`: the web server, the Celery worker with beat, and the SMTP intake, as one.

Each child runs in its own session, so it is the leader of its own process group: Ctrl-C in the
terminal reaches only this supervisor, which stops the children in order and by group (a Celery
worker's pool and embedded beat, runserver's reloader child). A child still alive after the
grace period is killed, group and all, so nothing outlives `make run`.

The worker's pid is kept in `<var>/celery.pid`. A second run refuses to start while that worker
is alive: two workers on one filesystem broker folder take each other's messages.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings


class AlreadyRunning(Exception):
    pass


@dataclass
class Child:
    name: str
    argv: list[str]
    log: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, 0)
            return True
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def group_members(pgid: int) -> list[int]:
    """Live processes in a process group (zombies left for init to reap do not count)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in {"Z", "X"}:
            members.append(int(entry.name))
    return members


def _die_with_parent() -> None:
    # Linux: if the supervisor itself is killed with SIGKILL, each child still gets a SIGTERM.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def previous_worker(pidfile: Path) -> int | None:
    """The pid of a worker from an earlier run that is still alive, else None (a stale file goes)."""
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        pidfile.unlink(missing_ok=True)
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b""
    if _alive(pid) and b"celery" in cmdline:
        return pid
    pidfile.unlink(missing_ok=True)
    return None


def children(*, host: str, port: int, smtp_port: int, var_dir: Path) -> list[Child]:
    python, manage = sys.executable, str(Path(settings.BASE_DIR) / "manage.py")
    worker = [python, "-m", "celery", "-A", "recovery", "worker", "-B", "--loglevel=INFO", "--concurrency=2",
              "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]  # fmt: skip
    return [
        Child("worker", worker, log=var_dir / "celery.log"),
        Child(
            "smtp",
            [python, manage, "smtp_intake", "--host", host, "--port", str(smtp_port)],
            log=var_dir / "smtp.log",
        ),  # fmt: skip
        Child("web", [python, manage, "runserver", f"{host}:{port}"]),
    ]


class Supervisor:
    def __init__(self, kids: list[Child], *, var_dir: Path, grace: float = 3.0, out=sys.stdout):
        self.kids, self.var_dir, self.grace, self.out = kids, var_dir, grace, out
        self.pidfile = var_dir / "celery.pid"
        self.stopping = False

    def _ask_to_stop(self, signum, frame) -> None:
        self.stopping = True

    def start(self) -> None:
        pid = previous_worker(self.pidfile)
        if pid is not None:
            raise AlreadyRunning(
                f"A Celery worker from an earlier run is still running (pid {pid}, {self.pidfile}); "
                f"it would fight this one for the broker folder. Stop it with: kill -TERM -{os.getpgid(pid)}"
            )
        for folder in ("out", "processed", "control"):
            (self.var_dir / "broker" / folder).mkdir(parents=True, exist_ok=True)
        for kid in self.kids:
            stdout = open(kid.log, "ab") if kid.log else None  # noqa: SIM115 - the child owns it
            try:
                kid.process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                    kid.argv,
                    cwd=settings.BASE_DIR,
                    stdout=stdout,
                    stderr=subprocess.STDOUT if stdout else None,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # no threads here yet, so preexec_fn is safe
                )
            finally:
                if stdout:
                    stdout.close()
            if kid.name == "worker":
                self.pidfile.write_text(f"{kid.process.pid}\n")
            where = f", log {kid.log}" if kid.log else ""
            self.out.write(f"{kid.name} started (pid {kid.process.pid}{where})\n")
        self.out.flush()

    def run(self) -> int:
        """Start everything, wait for a signal or for a child to end, then stop them all."""
        previous = {sig: signal.signal(sig, self._ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            code = 0
            while not self.stopping:
                ended = [k for k in self.kids if k.process.poll() is not None]
                if ended:
                    kid = ended[0]
                    self.out.write(f"{kid.name} exited ({kid.process.returncode}): stopping the rest\n")
                    code = 1
                    break
                time.sleep(0.2)
            return code
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        began = time.monotonic()
        started = [k for k in self.kids if k.process is not None]
        for kid in started:
            # SIGTERM: runserver's and the SMTP listener's exit, Celery's warm shutdown. The worker
            # alone is told, not its group: it stops its own pool and beat in order.
            with contextlib.suppress(ProcessLookupError):
                if kid.name == "worker":
                    os.kill(kid.process.pid, signal.SIGTERM)
                else:
                    os.killpg(kid.process.pid, signal.SIGTERM)
        self._wait(started, self.grace / 2)
        for kid in started:
            if kid.name == "worker" and self._running(kid):
                # Still finishing its warm shutdown (beat keeps feeding it): a cold one. Tasks are
                # acknowledged late, so one cut short is delivered again on the next run.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(kid.process.pid, signal.SIGQUIT)
        self._wait(started, self.grace / 2)
        for kid in started:
            if self._running(kid):
                self.out.write(f"{kid.name} still running after {self.grace:g} s: killed\n")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(kid.process.pid, signal.SIGKILL)
        for kid in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                kid.process.wait(timeout=5)
        if any(k.name == "worker" for k in started):
            self.pidfile.unlink(missing_ok=True)
        self.out.write(f"stopped in {time.monotonic() - began:.1f} s\n")
        self.out.flush()

    def _wait(self, kids: list[Child], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(self._running(k) for k in kids):
            time.sleep(0.1)

    @staticmethod
    def _running(kid: Child) -> bool:
        kid.process.poll()  # reap the leader, so a finished one stops counting
        return bool(group_members(kid.process.pid))
