"""docker-compose.yml describes the production shape and is valid."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def test_the_production_shape_has_every_process_with_health_checks():
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert set(services) == {"web", "worker", "outbox", "beat", "smtp", "postgres", "redis"}
    assert "gunicorn" in services["web"]["command"] and "migrate" in services["web"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("postgres", "redis", "web", "worker", "outbox", "beat"):
        assert "healthcheck" in services[name], name
    # Deliveries have their own worker: a sweep working through a backlog never holds mail back.
    assert "-Q outbox" in services["outbox"]["command"] and "-Q celery" in services["worker"]["command"]
    # A crashed process comes back by itself: nobody has to notice first.
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "sweep_check" in services["beat"]["healthcheck"]["test"]
    # Production mail goes to the SMTP server named by the environment.
    for name in ("web", "worker", "outbox", "beat", "smtp"):
        assert services[name]["environment"]["EMAIL_URL"] == "${EMAIL_URL:?set EMAIL_URL}", name
    for name in ("web", "worker", "beat", "smtp"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_validates_the_file():
    env = {**os.environ, "SECRET_KEY": "validation-only", "EMAIL_URL": "smtp://mail.example.com:587/?tls=1"}
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # Without a mail server the file refuses to start anything.
    env.pop("EMAIL_URL")
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "set EMAIL_URL" in result.stderr
