"""Case creation over the API: Recovery against django-helpdesk, in one run, same machine, same load.

    .venv/bin/python bench/api_peer.py [--rounds 5] [--duration 20] [--clients 4] [--workers 2]
                                       [--queries 30] [--profile] [--peer-dir /work/peer]

Both run under gunicorn with `--workers` sync workers on PostgreSQL; the rounds alternate
(Recovery with a new customer, django-helpdesk, Recovery with a known customer, a bare DRF
create, ...), so that whatever else the machine does falls on all alike. Then each create runs
`--queries` times in one process through Django's test client: queries, wall and CPU time per
create (`--profile` adds a cProfile top 15 of each).

Recovery: POST /api/v1/cases/ (database recovery_bench_peer, Redis db 5 for the throttle).
django-helpdesk: POST /api/tickets/ (its DRF API; database helpdesk_bench), installed by hand in
its own virtualenv at --peer-dir (see bench/README.md); this script writes its minimal project
into <peer-dir>/project from the constants below and creates its user, token and queue.
The bare DRF create (the floor: one model, a ModelViewSet, POST /bare/notes/) is an app of that
same project, so it runs on the peer's stack; --no-bare leaves it out.
Both databases are dropped and recreated.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

DB = "recovery_bench_peer"
PEER_DB = "helpdesk_bench"
REDIS_DB = 5

PEER_SETTINGS = '''"""django-helpdesk, a minimal project (written by Recovery's bench/api_peer.py)."""
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "bench-only-" + "y" * 50
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
    "bare",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
# As Recovery's settings: persistent connections with health checks.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PEER_DATABASE", "helpdesk_bench"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/London"
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
LOGIN_URL = "/login/"
# A token, as Recovery's API is called: basic auth would hash a password on every request.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False
# helpdesk renders the submitter's e-mail inside the create request; nothing is sent, which
# favours the peer (a real SMTP server would add its round trip to every create).
EMAIL_BACKEND = os.environ.get("PEER_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
DEFAULT_FROM_EMAIL = "helpdesk@localhost"
LOGGING = {"version": 1, "root": {"level": "WARNING"}}
'''

PEER_URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("bare/", include("bare.api")),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

# The floor: one model, a ModelSerializer and a ModelViewSet, on the same stack as the peer.
BARE_MODELS = """from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
"""

BARE_API = """from rest_framework import permissions, routers, serializers, viewsets

from .models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title", "body", "email", "created_at"]


class NoteViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    permission_classes = [permissions.IsAuthenticated]


router = routers.DefaultRouter()
router.register("notes", NoteViewSet)
urlpatterns = router.urls
"""

PEER_WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
application = get_wsgi_application()
"""

PEER_MANAGE = """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


class Peer:
    def __init__(self, root: Path):
        self.root = root
        self.project = root / "project"
        self.python = str(root / "venv/bin/python")
        self.gunicorn = str(root / "venv/bin/gunicorn")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "peer_settings",
            "PEER_DATABASE": PEER_DB,
            "PYTHONPATH": str(self.project),
        }

    def write_project(self) -> None:
        if not Path(self.python).exists():
            raise SystemExit(f"no virtualenv at {self.root}/venv: set it up as bench/README.md says")
        self.project.mkdir(parents=True, exist_ok=True)
        for name, text in (
            ("peer_settings.py", PEER_SETTINGS),
            ("peer_urls.py", PEER_URLS),
            ("peer_wsgi.py", PEER_WSGI),
            ("manage.py", PEER_MANAGE),
            ("bare/__init__.py", ""),
            ("bare/models.py", BARE_MODELS),
            ("bare/api.py", BARE_API),
        ):
            path = self.project / name
            path.parent.mkdir(exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)


# ---- setup, each in its own process and virtualenv ------------------------------------------------


def setup_recovery() -> dict:
    from accounts.models import Team
    from cases.models import Customer, Product
    from integrations.tokens import api_token_create

    team = Team.objects.create(name="Bench", slug="bench")
    product = Product.objects.create(name="Home delivery")
    known = Customer.objects.create(name="Known Customer", email="known@example.com")
    _, key = api_token_create(name="Bench", teams=[team], can_write=True)
    return {"token": key, "product": product.pk, "customer": known.pk}


def setup_peer() -> dict:
    from django.contrib.auth import get_user_model
    from helpdesk.models import Queue
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-only-password")
    queue = Queue.objects.create(title="Bench", slug="bench", email_address="queue@example.com")
    token = Token.objects.create(user=user)
    return {"token": token.key, "queue": queue.pk}


def django_side(side: str, peer_dir: Path) -> None:
    if side == "recovery":
        sys.path.insert(0, str(harness.ROOT))
    else:
        sys.path.insert(0, str(peer_dir / "project"))
    import django

    django.setup()


# ---- the requests ---------------------------------------------------------------------------------


def specs(recovery: dict, peer: dict) -> dict:
    auth = {"Content-Type": "application/json", "Authorization": f"Token {recovery['token']}"}
    case = {
        "summary": "Charged above the menu price",
        "description": "The receipt shows 14.50, the menu says 12.00.",
        "product": recovery["product"],
        "journey_stage": "billing",
        "severity": "high",
        "source": "bench",
        "external_id": "@UNIQ@",
    }
    new_customer = {**case, "customer": {"name": "Bench Customer", "email": "@UNIQ@@example.com"}}
    known_customer = {**case, "customer": {"id": recovery["customer"]}}
    ticket = {
        "queue": peer["queue"],
        "title": "Charged above the menu price",
        "description": "The receipt shows 14.50, the menu says 12.00.",
        "submitter_email": "@UNIQ@@example.com",
        "priority": 2,
    }
    peer_auth = {"Content-Type": "application/json", "Authorization": f"Token {peer['token']}"}
    note = {"title": ticket["title"], "body": ticket["description"], "email": "@UNIQ@@example.com"}
    bare = {"method": "POST", "path": "/bare/notes/", "body": json.dumps(note), "headers": peer_auth}
    return {
        "recovery_new_customer": {
            "method": "POST",
            "path": "/api/v1/cases/",
            "body": json.dumps(new_customer),
            "headers": auth,
        },
        "helpdesk": {
            "method": "POST",
            "path": "/api/tickets/",
            "body": json.dumps(ticket),
            "headers": peer_auth,
        },
        "recovery_known_customer": {
            "method": "POST",
            "path": "/api/v1/cases/",
            "body": json.dumps(known_customer),
            "headers": auth,
        },
        "bare_drf": bare,
    }


def summarise(rounds: list[dict]) -> dict:
    names = list(rounds[0])
    out = {}
    for name in names:
        values = [r[name] for r in rounds]
        out[name] = {
            "req_per_s_median": statistics.median(v["req_per_s"] for v in values),
            "req_per_s_each": [v["req_per_s"] for v in values],
            "p50_ms_median": round(statistics.median(v["p50_ms"] for v in values), 1),
            "p99_ms_median": round(statistics.median(v["p99_ms"] for v in values), 1),
        }
    for name in ("recovery_new_customer", "recovery_known_customer"):
        per_round = [r[name]["req_per_s"] / r["helpdesk"]["req_per_s"] for r in rounds]
        out[f"ratio_{name}_to_helpdesk"] = {
            "of_medians": round(out[name]["req_per_s_median"] / out["helpdesk"]["req_per_s_median"], 2),
            "per_round": [round(x, 2) for x in per_round],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each create")
    parser.add_argument("--duration", type=float, default=20, help="seconds per round")
    parser.add_argument("--clients", type=int, default=4, help="keep-alive clients (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, each side")
    parser.add_argument("--queries", type=int, default=30, help="in-process creates for queries and CPU")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process creates")
    parser.add_argument("--show-queries", action="store_true", help="print one create's SQL")
    parser.add_argument("--peer-dir", type=Path, default=Path(os.environ.get("BENCH_PEER_DIR", "/work/peer")))
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="no bare DRF create rounds")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before the rounds")
    parser.add_argument(
        "--role", choices=["main", "setup", "inprocess"], default="main", help=argparse.SUPPRESS
    )
    parser.add_argument("--side", choices=["recovery", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role == "setup":
        django_side(args.side, args.peer_dir)
        print(json.dumps(setup_recovery() if args.side == "recovery" else setup_peer()))
        return
    if args.role == "inprocess":
        django_side(args.side, args.peer_dir)
        result = harness.inprocess(
            json.loads(args.spec),
            n=args.queries,
            profile=args.profile,
            show_queries=args.show_queries,
            expect=201,
        )
        print(json.dumps(result))
        return

    peer = Peer(args.peer_dir)
    peer.write_project()
    env = harness.recovery_env(DB, REDIS_DB)
    harness.migrated_database(DB, env)
    harness.recreate_database(PEER_DB)
    harness.redis_flush(env["REDIS_URL"])
    subprocess.run(  # noqa: S603 - the peer's own manage.py
        [peer.python, "manage.py", "migrate", "--run-syncdb", "-v0"],
        cwd=peer.project,
        env=peer.env,
        check=True,
    )  # noqa: S603
    me = [__file__, "--role", "setup", "--peer-dir", str(args.peer_dir)]
    recovery = harness.run_json([sys.executable, *me, "--side", "recovery"], env)
    helpdesk = harness.run_json([peer.python, *me, "--side", "peer"], peer.env)
    requests = specs(recovery, helpdesk)
    if not args.bare:
        del requests["bare_drf"]
    side_of = {name: ("recovery" if name.startswith("recovery") else "peer") for name in requests}

    servers = {
        "recovery": harness.start_gunicorn(
            str(harness.ROOT / ".venv/bin/gunicorn"),
            "recovery.wsgi",
            workers=args.workers,
            env=env,
            cwd=harness.ROOT,
        ),
        "peer": harness.start_gunicorn(
            peer.gunicorn, "peer_wsgi", workers=args.workers, env=peer.env, cwd=peer.project
        ),
    }
    print(
        f"{args.clients} clients, {args.workers} sync workers each, {args.duration:g} s rounds;",
        harness.load_note(),
    )
    rounds = []
    try:
        for name, spec in requests.items():
            port = servers[side_of[name]][1]
            harness.check_once(port, spec, 201)
            harness.hammer(port, spec, clients=args.clients, duration=args.warmup)
        for number in range(1, args.rounds + 1):
            this = {}
            for name, spec in requests.items():
                this[name] = harness.hammer(
                    servers[side_of[name]][1], spec, clients=args.clients, duration=args.duration
                )
                print(json.dumps({"round": number, name: this[name]}), flush=True)
            rounds.append(this)
    finally:
        for proc, _ in servers.values():
            harness.stop(proc)
    print(json.dumps(summarise(rounds), indent=2))
    print(harness.load_note())

    for name, spec in requests.items():
        side = side_of[name]
        python, side_env = (sys.executable, env) if side == "recovery" else (peer.python, peer.env)
        argv = [python, __file__, "--role", "inprocess", "--side", side, "--peer-dir", str(args.peer_dir)]
        argv += ["--spec", json.dumps(spec), "--queries", str(args.queries)]
        argv += ["--profile"] * args.profile + ["--show-queries"] * args.show_queries
        if args.profile:
            print(f"==== {name}", file=sys.stderr, flush=True)
        print(json.dumps({f"in_process_{name}": harness.run_json(argv, side_env)}, indent=2), flush=True)


if __name__ == "__main__":
    main()
