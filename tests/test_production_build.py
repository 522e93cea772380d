"""The production image's build and serve steps, run here as the Dockerfile runs them.

collectstatic runs with the Dockerfile's own command line (production settings, the manifest
storage, no database or broker), then gunicorn starts with the Dockerfile's CMD and DEBUG=0
on the test database, and the login page, the API docs and every static file they name are
fetched through it. A vendored file that points at a missing source map, or a page naming a
file the manifest does not know, fails here instead of in the image build or as a 500.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
CONTENT_TYPES = {
    ".js": {"text/javascript", "application/javascript"},
    ".css": {"text/css"},
    ".svg": {"image/svg+xml"},
    ".png": {"image/png"},
    ".map": {"application/json", "application/octet-stream"},
}
# Behind the TLS-terminating proxy production runs behind (SECURE_PROXY_SSL_HEADER).
HTTPS = {"X-Forwarded-Proto": "https"}

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def dockerfile_collectstatic() -> tuple[dict, list[str]]:
    """The environment assignments and command of the Dockerfile's collectstatic step."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("RUN ")]
    (line,) = [line for line in lines if "collectstatic" in line]
    words = shlex.split(line.removeprefix("RUN "))
    env = {}
    while "=" in words[0]:
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words[0] == "python", line
    return env, [sys.executable, *words[1:]]


def dockerfile_cmd() -> list[str]:
    (line,) = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line.removeprefix("CMD "))


def build_env(var_dir: Path) -> dict:
    """What an image build sees: no DEBUG, no database, no broker, only the Dockerfile's env."""
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    return {**env, "RECOVERY_VAR_DIR": str(var_dir), "PYTHONDONTWRITEBYTECODE": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def static_references(html: str) -> set[str]:
    return set(re.findall(r'(?:src|href)="(/static/[^"?#]+)"', html))


@pytest.fixture
def collected(tmp_path):
    """Run the Dockerfile's collectstatic into a fresh STATIC_ROOT; returns it and its manifest."""
    var_dir = tmp_path / "var"
    step_env, argv = dockerfile_collectstatic()
    result = subprocess.run(
        argv,
        cwd=ROOT,
        env={**build_env(var_dir), **step_env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    static_root = var_dir / "staticfiles"
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return var_dir, static_root, manifest


@pytest.fixture
def gunicorn(collected, tmp_path):
    """The Dockerfile's CMD with DEBUG=0 on the test database, on a free local port."""
    var_dir, _, _ = collected
    port = free_port()
    argv = dockerfile_cmd()
    assert argv[0] == "gunicorn", argv
    argv = [sys.executable, "-m", *argv]
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    argv[argv.index("--workers") + 1] = "2"
    db = connection.settings_dict
    env = {
        **build_env(var_dir),
        "DEBUG": "0",
        "SECRET_KEY": "production-build-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_URL": "smtp://127.0.0.1:2525",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"{url}/healthz", headers=HTTPS, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer /healthz:\n" + log_path.read_text()[-5000:])
        yield url, log_path
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


def test_every_vendored_file_that_names_a_source_map_ships_it():
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not name.startswith("data:"):
                assert (path.parent / name).is_file(), f"{path.relative_to(ROOT)} names missing {name}"


def test_the_dockerfile_build_collects_hashed_static_files(collected):
    _, static_root, manifest = collected
    for name in ("css/app.css", "vendor/htmx.min.js", "vendor/chart.umd.min.js", "favicon.svg"):
        assert manifest[name] != name and (static_root / manifest[name]).is_file()
    # The source map travels with Chart.js under its own hashed name, and the copy points at it.
    hashed_map = manifest["vendor/chart.umd.min.js.map"]
    chart = (static_root / manifest["vendor/chart.umd.min.js"]).read_text()
    assert chart.rstrip().endswith(f"sourceMappingURL={Path(hashed_map).name}")


def test_pages_and_their_static_files_are_served_by_gunicorn_with_debug_off(collected, gunicorn):
    _, _, manifest = collected
    url, log_path = gunicorn
    hashed = set(manifest.values())
    fetched = {}
    for page in ("/login/", "/api/docs/"):
        response = requests.get(f"{url}{page}", headers=HTTPS, timeout=10, allow_redirects=False)
        assert response.status_code == 200, (page, response.status_code, log_path.read_text()[-3000:])
        assert response.headers["Content-Type"].startswith("text/html")
        references = static_references(response.text)
        assert references, f"{page} names no static files"
        for reference in references:
            name = reference.removeprefix("/static/")
            assert name in hashed, f"{page} names {reference}, not a hashed name from the manifest"
            fetched[reference] = page

    # Chart.js is on the dashboard, behind a login: fetch it and the map it names directly.
    chart = "/static/" + manifest["vendor/chart.umd.min.js"]
    fetched[chart] = "dashboard"
    map_name = re.search(
        r"sourceMappingURL=(\S+)", requests.get(f"{url}{chart}", headers=HTTPS, timeout=10).text
    )[1]
    fetched[urljoin(chart, map_name)] = chart

    for reference, page in sorted(fetched.items()):
        response = requests.get(f"{url}{reference}", headers=HTTPS, timeout=10)
        assert response.status_code == 200, (reference, page, response.status_code)
        content_type = response.headers["Content-Type"].split(";")[0]
        assert content_type in CONTENT_TYPES[Path(reference).suffix], (reference, content_type)
        assert len(response.content) > 0
        # Hashed names never change, so browsers may keep them for good.
        assert "immutable" in response.headers.get("Cache-Control", ""), reference

    schema = requests.get(f"{url}/api/schema/", headers=HTTPS, timeout=30)
    assert schema.status_code == 200 and "openapi:" in schema.text
    assert "Missing staticfiles manifest entry" not in log_path.read_text()
    print(f"served {len(fetched)} static files for /login/, /api/docs/ and the dashboard's chart")
