import pytest
from django.core.management import call_command

from accounts.models import User
from cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_nothing_new_and_covers_every_stage():
    call_command("seed_demo", cases=40, verbosity=0)
    counts = (User.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    call_command("seed_demo", cases=40, verbosity=0)
    assert (User.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    assert counts[1] == 40
    assert set(Case.objects.values_list("status", flat=True)) >= {"new", "responded", "resolved", "closed"}
    assert set(Case.objects.values_list("triage_stage", flat=True)) == {"what", "why", "different", "done"}
    assert Case.objects.filter(handoff_count__gt=0).exists()
    assert User.objects.get(username="ava").check_password("recover-2026")
