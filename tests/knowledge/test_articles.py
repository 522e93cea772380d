import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from knowledge import services
from knowledge.markdown import render
from knowledge.models import ArticleUse
from knowledge.selectors import articles_applying
from tests import factories

pytestmark = pytest.mark.django_db


def article(lead, **data):
    return services.article_create(actor=lead, data={"title": "Price rise", "body": "Prices rose.", **data})


def test_it_lets_leads_write_articles_and_agents_only_read(lead, agent):
    assert article(lead).owner == lead
    with pytest.raises(PermissionDenied):
        article(agent)


def test_it_refuses_an_article_without_a_title_or_with_an_unknown_stage(lead):
    with pytest.raises(ValidationError) as refused:
        services.article_create(actor=lead, data={"title": " ", "body": "x", "journey_stages": ["moon"]})
    assert set(refused.value.message_dict) == {"title", "journey_stages"}


def test_it_keeps_the_text_before_each_change_and_who_made_it(lead, manager):
    written = article(lead, customer_text="Sorry about the price.")
    services.article_update(article=written, actor=manager, data={"body": "Prices rose by 1.25."})
    written.refresh_from_db()
    assert written.version == 2 and written.body == "Prices rose by 1.25."
    old = written.versions.get()
    assert (old.version, old.body, old.changed_by) == (1, "Prices rose.", manager)
    assert old.changes == {"body": ["Prices rose.", "Prices rose by 1.25."]}


def test_an_update_that_changes_nothing_writes_no_version(lead):
    written = article(lead)
    services.article_update(article=written, actor=lead, data={"body": "Prices rose."})
    assert not written.versions.exists()


def test_the_body_is_markdown_with_raw_html_shown_as_text():
    html = render("**Boards** change <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Boards</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


@time_machine.travel("2026-12-10 12:00 +0000", tick=False)
def test_expired_and_future_articles_never_apply(lead):
    day = datetime.date(2026, 12, 10)
    now = article(lead, title="Now", valid_from=day - datetime.timedelta(days=9), valid_until=day)
    article(lead, title="Expired", valid_until=day - datetime.timedelta(days=1))
    article(lead, title="Future", valid_from=day + datetime.timedelta(days=1))
    assert articles_applying(day=day) == [now]


def test_an_article_applies_only_to_its_products_stages_and_channels(lead):
    pizza, cake = factories.ProductFactory(name="Pizza"), factories.ProductFactory(name="Cake")
    anything = article(lead, title="Any")
    pizza_billing = article(lead, title="Pizza bills", products=[pizza.pk], journey_stages=["billing"])
    day = datetime.date(2026, 12, 10)
    assert set(articles_applying(product=pizza, journey_stage="billing", day=day)) == {
        anything,
        pizza_billing,
    }
    assert articles_applying(product=pizza, journey_stage="delivery", day=day) == [anything]
    assert articles_applying(product=cake, journey_stage="billing", day=day) == [anything]


def test_telling_the_customer_an_article_is_counted_once_per_case_and_on_the_timeline(lead, agent, case):
    written = article(lead)
    services.article_use_record(case=case, article=written, actor=agent)
    services.article_use_record(case=case, article=written, actor=agent)
    assert ArticleUse.objects.filter(article=written).count() == 1
    assert case.events.filter(kind="case.article.used", data={"article": written.pk}).count() == 1


def test_an_agent_of_another_team_cannot_record_a_use(lead, case, other_team):
    stranger = factories.UserFactory(teams=[other_team])
    with pytest.raises(PermissionDenied):
        services.article_use_record(case=case, article=article(lead), actor=stranger)
