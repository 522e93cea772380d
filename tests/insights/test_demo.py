import pytest

from cases import demo
from insights.models import FollowUpOutcome, Improvement, SurveyResponse

pytestmark = pytest.mark.django_db


def test_the_demo_feeds_every_figure_of_the_learning_loop():
    demo.seed(case_count=60)

    assert set(FollowUpOutcome.objects.values_list("retained", flat=True)) == {"yes", "no", "unknown"}
    assert SurveyResponse.objects.filter(score__lte=2).exists()
    assert SurveyResponse.objects.filter(score__gte=4).exists()
    improvement = Improvement.objects.get()
    assert improvement.status == "done" and improvement.completed_at is not None
    assert improvement.cases.exists()
