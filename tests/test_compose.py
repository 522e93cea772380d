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
    assert set(services) == {"web", "worker", "beat", "smtp", "postgres", "redis"}
    assert "gunicorn" in services["web"]["command"] and "migrate" in services["web"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name]
    for name in ("web", "worker", "beat", "smtp"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_validates_the_file():
    env = {**os.environ, "SECRET_KEY": "validation-only"}
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
