# ruff: noqa: S608  (SQL built from the benches' own database names)
"""What the benchmarks share: databases, gunicorn, keep-alive clients, in-process request runs.

Only the standard library at import time: `inprocess` also runs under django-helpdesk's own
virtualenv (bench/api_peer.py), where none of Recovery's packages exist.
"""

import cProfile
import http.client
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")


def recovery_env(database: str, redis_db: int, **extra: str) -> dict:
    """Recovery as production runs it (DEBUG off), on a bench database and Redis db."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": f"{REDIS}/{redis_db}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # Throttling stays on (its counters in Redis are part of the cost), at a rate never met.
        "API_THROTTLE_RATE": "10000000/minute",
        "LOG_LEVEL": "WARNING",
        # DEBUG off wants a mail server; the web benches send none (the sweep bench passes its sink).
        "EMAIL_URL": "smtp://127.0.0.1:9/",
        "DJANGO_SETTINGS_MODULE": "recovery.settings",
        # whitenoise asks for collectstatic; the API benches serve no static files.
        "PYTHONWARNINGS": "ignore:No directory at",
        **extra,
    }


def psql(sql: str, database: str = "postgres") -> str:
    command = ["psql", f"{PG}/{database}", "-qAtc", sql]
    out = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - our own SQL
    return out.stdout.strip()


def recreate_database(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


TEMPLATE = "recovery_bench_template"


def migrations_fingerprint() -> str:
    import hashlib

    digest = hashlib.sha1()  # noqa: S324 - a cache key, not security
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


def migrated_database(name: str, env: dict) -> None:
    """`name` dropped and created migrated, as a copy of a template database migrated once per
    set of migrations (a migrate takes longer than a smoke run's measurements)."""
    fingerprint = migrations_fingerprint()
    comment = psql(
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{TEMPLATE}'"
    )
    if comment != fingerprint:
        recreate_database(TEMPLATE)
        template_env = {**env, "DATABASE_URL": f"{PG}/{TEMPLATE}"}
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=template_env, check=True
        )
        psql(f"COMMENT ON DATABASE \"{TEMPLATE}\" IS '{fingerprint}'")
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')


def redis_flush(url: str) -> None:
    """Empty one Redis db (a bench's own): stale tasks from an earlier run would skew it."""
    import redis  # Recovery's virtualenv only

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


def start_gunicorn(gunicorn: str, app: str, *, workers: int, env: dict, cwd: Path) -> tuple:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [gunicorn, app, "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
        cwd=cwd,
        env=env,
    )
    wait_port(port, proc)
    return proc, port


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- requests -----------------------------------------------------------------------------------
# A request spec is a dict {method, path, body, headers, n_range}; in path and body, @UNIQ@ becomes
# a fresh hex id, @N@ a random integer in n_range and @REF@ that integer as a case reference.


def materialise(spec: dict) -> tuple[str, str, str | None, dict]:
    uniq = uuid.uuid4().hex
    n = random.randint(*spec["n_range"]) if spec.get("n_range") else 0  # noqa: S311 - not crypto

    def fill(text: str) -> str:
        return text.replace("@UNIQ@", uniq).replace("@REF@", f"R-{n:06d}").replace("@N@", str(n))

    body = fill(spec["body"]) if spec.get("body") is not None else None
    return spec["method"], fill(spec["path"]), body, spec.get("headers", {})


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def hammer(port: int, spec: dict, *, clients: int, duration: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, for `duration` seconds."""
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], {}
        while time.monotonic() < stop_at:
            method, path, body, headers = materialise(spec)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status >= 300:
                bad[response.status] = bad.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, count in bad.items():
                errors[code] = errors.get(code, 0) + count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    if not latencies:
        return {"requests": 0, "errors": errors, "req_per_s": 0.0, "p50_ms": None, "p99_ms": None}
    return {
        "requests": len(latencies),
        "errors": errors,
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
    }


def check_once(port: int, spec: dict, expect: int) -> str:
    """One request before a round: a setup mistake shows as its status and body, not as 4xx/s."""
    method, path, body, headers = materialise(spec)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    conn.close()
    if response.status != expect:
        raise SystemExit(f"{method} {path} answered {response.status}, not {expect}: {text[:500]}")
    return text


# ---- in process ---------------------------------------------------------------------------------


def inprocess(spec: dict, *, n: int, profile: bool, show_queries: bool, expect: int) -> dict:
    """N requests through Django's test client in this process (Django already set up): queries
    per request, wall and CPU time per request (this process only, not PostgreSQL's), and with
    `profile` the top 15 functions by cumulative time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")

    def send():
        method, path, body, headers = materialise(spec)
        kwargs = {"headers": headers}
        if body is not None:
            kwargs |= {"data": body, "content_type": headers.get("Content-Type", "application/json")}
        response = getattr(client, method.lower())(path, **kwargs)
        if response.status_code != expect:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.content[:500]!r}")

    for _ in range(3):  # warm-up: imports, URL resolver, connection
        send()
    counts, walls, cpus, last = [], [], [], []
    profiler = cProfile.Profile() if profile else None
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            send()
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        counts.append(len(captured.captured_queries))
        last = captured.captured_queries
    result = {
        "requests": n,
        "queries": statistics.median(counts),
        "queries_min_max": [min(counts), max(counts)],
        "wall_ms_median": round(statistics.median(walls) * 1000, 1),
        "cpu_ms_median": round(statistics.median(cpus) * 1000, 1),
        "cpu_ms_p10_p90": [round(pct(cpus, 0.1) * 1000, 1), round(pct(cpus, 0.9) * 1000, 1)],
    }
    if show_queries:
        result["last_request_queries"] = [q["sql"][:240] for q in last]
    if profiler:
        print_profile(profiler, f"{n} requests")
    return result


# Frames every request passes through (client, handler, middleware, DRF dispatch) top any
# cumulative list and say nothing, so the listing leaves them out, and the layers of Django's
# cursor wrapper (the compiler's execute_sql and psycopg's execute stay, as the SQL time).
WRAPPERS = (
    r"^(?!.*(?:test/client\.py|core/handlers/|utils/deprecation\.py|middleware|harness\.py|decorators/csrf"
    r"|rest_framework/viewsets\.py|rest_framework/views\.py|\(__call__\)|db/backends/utils\.py))"
)


def print_profile(profiler: cProfile.Profile, what: str, stream=None) -> None:
    stream = stream or sys.stderr
    print(f"---- cProfile of {what}: top 15 by cumulative time, below the request wrappers", file=stream)
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(WRAPPERS, int(os.environ.get("PROFILE_TOP", 15)))
    print("---- the same: top 12 by own time", file=stream)
    stats.sort_stats("tottime").print_stats(12)


def run_json(argv: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """Run a helper process; its last stdout line is JSON. Its stderr (profiles) passes through."""
    out = subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
