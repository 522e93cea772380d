import datetime

import pytest

from cases import demo
from cases.models import Case, Product
from knowledge import suggestions
from knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_the_full_demo_ships_articles_and_a_history_the_suggestions_learn_from(time_machine):
    # Which demo cases are triaged by now depends on the hour the replay ends: a fixed Wednesday.
    time_machine.move_to(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=datetime.UTC), tick=True)
    demo.seed(case_count=100)
    assert Article.objects.filter(title__icontains="eco-friendly packaging").exists()
    history = Case.objects.filter(summary__startswith="[history]")
    assert history.count() >= 80
    # The history was followed up and closed on its own days: none is left at Resolved.
    assert set(history.values_list("status", flat=True)) == {"closed"}
    assert set(history.values_list("triage_stage", flat=True)) == {"done"}
    cases = Case.objects.count()
    demo.seed(case_count=100)
    assert Case.objects.count() == cases
    ava = demo.User.objects.get(username="ava")
    found = suggestions.suggest(
        user=ava,
        text="Charged more than the menu price\nThe menu says 12.50, the receipt says 15.90.",
        product=Product.objects.get(name="Restaurant dining"),
        journey_stage="purchase",
        channel="in_person",
    )
    shown = [a.title for a, _ in found.shown(found.articles)]
    assert shown and "eco-friendly packaging" in shown[0]
    assert found.shown(found.similar_cases)
    assert not any("expired" in title.lower() for title in shown)
