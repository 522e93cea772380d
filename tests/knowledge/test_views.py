import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_a_lead_writes_and_edits_an_article_in_the_browser_and_the_page_shows_its_history(client, lead, case):
    client.force_login(lead)
    response = client.post(
        reverse("knowledge:article_new"),
        {"title": "Price rise", "body": "Prices **rose** <script>x</script>", "customer_text": "Sorry."},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == reverse("knowledge:article", args=[article.pk])
    client.post(
        reverse("knowledge:article_edit", args=[article.pk]),
        {"title": "Price rise", "body": "Boards change tomorrow.", "customer_text": "Sorry."},
    )
    services.article_use_record(case=case, article=article, actor=lead)
    page = client.get(reverse("knowledge:article", args=[article.pk])).content.decode()
    assert "Boards change tomorrow." in page and "Version 1, changed by" in page
    assert "&lt;script&gt;" in page and "<script>x" not in page  # the old text, escaped
    assert "used on 1 case" in page


def test_an_invalid_article_form_answers_400_with_its_errors(client, lead):
    client.force_login(lead)
    response = client.post(reverse("knowledge:article_new"), {"title": "", "body": ""})
    assert response.status_code == 400 and not Article.objects.exists()
    assert response.context["form"].errors["title"]


def test_an_agent_may_not_open_the_article_form(client, agent):
    client.force_login(agent)
    assert client.get(reverse("knowledge:article_new")).status_code == 403


def test_told_the_customer_records_a_use_from_the_case_page(client, agent, lead, case):
    article = services.article_create(actor=lead, data={"title": "Price rise", "body": "Prices rose."})
    client.force_login(agent)
    response = client.post(reverse("knowledge:article_used", args=[case.reference, article.pk]))
    assert response.status_code == 302 and article.uses.get().case == case
