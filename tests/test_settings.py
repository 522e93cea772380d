"""Production settings pass Django's deployment checks with no warnings, and production mail
goes to a real SMTP server or the app does not start."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from recovery.settings import email_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 64 + "prod-like-secret-value",
        ALLOWED_HOSTS="recovery.example",
        EMAIL_URL="smtp://recovery:secret@mail.example.com:587/?tls=1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(DEBUG="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "Set the SECRET_KEY environment variable" in result.stderr


def production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"} and not k.startswith("EMAIL_")
    }
    env.update(DEBUG="0", SECRET_KEY="x" * 64 + "prod-like-secret-value", ALLOWED_HOSTS="recovery.example")
    return {**env, **extra}


def manage(*argv: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_a_mail_server_fails_every_check_and_the_migrate_step(tmp_path):
    # migrate's checks open the database first: give it one that exists wherever this runs.
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    for argv in (("check", "--deploy"), ("check",), ("migrate", "--check")):
        result = manage(*argv, env=env)
        assert result.returncode != 0, argv
        assert "recovery.E002" in result.stderr and "EMAIL_URL" in result.stderr, (argv, result.stderr)


def test_production_refuses_the_console_mail_backend():
    result = manage(
        "check", env=production_env(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    )
    assert result.returncode != 0 and "recovery.E001" in result.stderr and "never delivers" in result.stderr


def test_the_worker_refuses_to_start_in_production_without_a_mail_server():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "recovery", "worker", "--pool=solo", "--without-mingle"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "recovery.E002" in result.stderr and "ready." not in result.stderr


def test_email_url_names_the_smtp_server_user_password_and_tls():
    assert email_from_url("smtp://relay%40example.com:p%40ss%2Fw@mail.example.com:2587/?tls=1&timeout=5") == {
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 2587,
        "EMAIL_HOST_USER": "relay@example.com",
        "EMAIL_HOST_PASSWORD": "p@ss/w",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5,
    }
    implicit = email_from_url("smtps://mail.example.com")
    assert (implicit["EMAIL_PORT"], implicit["EMAIL_USE_SSL"], implicit["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert email_from_url("smtp://mail.example.com/?tls=1")["EMAIL_PORT"] == 587
    assert email_from_url("smtp://10.0.0.5")["EMAIL_PORT"] == 25


@pytest.mark.parametrize(
    "url", ["mail.example.com", "http://mail.example.com", "smtp://mail.example.com:x", "smtp://h/?tls=maybe"]
)
def test_a_malformed_email_url_is_refused_with_the_expected_shape(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_from_url(url)


def test_email_host_and_friends_configure_smtp_without_a_url():
    code = (
        "from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    env = production_env(
        EMAIL_HOST="mail.example.com", EMAIL_PORT="587", EMAIL_HOST_USER="recovery", EMAIL_USE_TLS="1"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.com",
        "587",
        "recovery",
        "True",
    ]
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0


def test_production_mail_reaches_the_smtp_server_named_by_email_url(tmp_path):
    # A real SMTP server on this machine, receiving what Django's SMTP backend sends.
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = production_env(EMAIL_URL=f"smtp://127.0.0.1:{port}", DEFAULT_FROM_EMAIL="recovery@example.com")
        result = manage("sendtestemail", "ops@example.com", env=env)
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert [m["To"] for m in received] == ["ops@example.com"]
    # Nothing of the message went to the log instead.
    assert "ops@example.com" not in result.stdout
