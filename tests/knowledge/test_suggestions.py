import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import services as case_services
from cases.models import Case
from cases.services import case_update
from cases.workflow import Action
from knowledge import embedding, learning, suggestions
from knowledge.models import ComplaintVector, SuggestionShown, TriageModel
from knowledge.tasks import refresh_suggestions
from tests import factories

from .conftest import triage

pytestmark = pytest.mark.django_db


def suggest(user, text):
    return suggestions.suggest(user=user, text=text, journey_stage="billing")


def test_with_too_few_triaged_cases_it_says_so_instead_of_guessing(agent, team, lead, causes):
    case = factories.open_case(actor=agent, team=team)
    triage(case, lead=lead, agent=agent, cause=causes["price"])
    assert suggestions.model_refresh(force=True) is None
    found = suggest(agent, "charged more than the menu")
    assert found.root_causes == [] and found.similar_cases == []
    assert "Too few triaged cases" in found.status and f"1 of {learning.MIN_TRIAGED}" in found.status


def test_it_suggests_the_cause_of_past_cases_worded_differently(history, agent, causes):
    found = suggest(agent, "The price on your menu board is lower than the total on my receipt")
    assert found.root_causes[0][0] == causes["price"]
    assert [s for _, s in found.root_causes] == sorted((s for _, s in found.root_causes), reverse=True)
    found = suggest(agent, "you said someone would ring me back and nobody phoned")
    assert found.root_causes[0][0] == causes["callback"]
    assert found.severity[0][0] == "high"
    assert found.similar_cases[0][0].why.root_cause == causes["callback"]


def test_similar_cases_are_only_those_the_user_may_see(history, other_team):
    stranger = factories.UserFactory(teams=[other_team])
    assert suggest(stranger, "promised to ring me back").similar_cases == []


def test_retraining_is_a_no_op_until_a_case_is_triaged(history, agent, team, lead, causes):
    assert suggestions.model_refresh() is None
    case = factories.open_case(actor=agent, team=team, description="my voucher was refused")
    triage(case, lead=lead, agent=agent, cause=factories.root_cause("Promotion not applied", "Pricing"))
    refresh_suggestions()  # what beat runs every minute
    newest = TriageModel.objects.first()
    assert newest.triaged_cases == 21 and newest.causes == 3
    assert suggestions.current_model().triaged == 21  # every process picks up the new row


def test_the_command_retrains_at_once(history, capsys):
    before = TriageModel.objects.first().pk
    call_command("refresh_suggestions")
    assert TriageModel.objects.first().pk > before
    assert "Trained on 20 triaged cases" in capsys.readouterr().out


def test_the_model_is_stored_as_a_row_other_processes_load(history):
    suggestions._cache.update(id=None, model=None)  # a fresh process
    assert suggestions.current_model().triaged == 20


@pytest.fixture
def at_why(agent, team):
    case = factories.open_case(actor=agent, team=team, description="menu board says 4.50, receipt says 5.75")
    case_services.triage_record_what(case=case, actor=agent, answers=factories.WHAT_ANSWERS)
    case_services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    return case


def test_the_lead_sees_suggestions_at_why_and_nothing_is_applied_by_itself(
    client, history, lead, at_why, causes
):
    client.force_login(lead)
    response = client.get(reverse("knowledge:case_panel", args=[at_why.reference]))
    assert response.status_code == 200
    assert "Take this root cause" in response.content.decode()
    at_why.refresh_from_db()
    assert not hasattr(at_why, "why") or at_why.why.root_cause_id is None
    shown = SuggestionShown.objects.get(case=at_why)
    assert shown.root_causes[0] == causes["price"].pk and shown.taken_rank is None


def test_taking_a_suggestion_sets_the_root_cause_and_records_its_rank(client, history, lead, at_why, causes):
    client.force_login(lead)
    client.get(reverse("knowledge:case_panel", args=[at_why.reference]))
    response = client.post(
        reverse("knowledge:accept_root_cause", args=[at_why.reference]), {"root_cause": causes["price"].pk}
    )
    assert response.status_code == 302
    at_why.refresh_from_db()
    assert at_why.why.root_cause == causes["price"]
    assert SuggestionShown.objects.get(case=at_why).taken_rank == 1


def test_choosing_a_cause_that_was_not_suggested_counts_as_not_taken(history, lead, at_why, causes):
    SuggestionShown.objects.create(case=at_why, root_causes=[causes["price"].pk], shown_at=at_why.opened_at)
    other = factories.root_cause("Training gap", "People")
    case_services.triage_record_why(case=at_why, actor=lead, answers={"root_cause": other})
    shown = SuggestionShown.objects.get(case=at_why)
    assert shown.chosen == other and shown.taken_rank is None and shown.decided_at is not None


def test_an_agent_sees_articles_but_no_root_cause_buttons(client, history, agent, at_why):
    client.force_login(agent)
    body = client.get(reverse("knowledge:case_panel", args=[at_why.reference])).content.decode()
    assert "Take this root cause" not in body
    assert not SuggestionShown.objects.exists()


def test_the_intake_panel_shows_the_article_and_similar_cases_as_the_agent_types(
    client, history, agent, lead
):
    from knowledge import services

    services.article_create(
        actor=lead,
        data={
            "title": "Charged above the menu price: the packaging price rise",
            "body": "Prices rose by 1.25 for eco packaging; the menu boards change tomorrow.",
            "customer_text": "Sorry: prices rose by 1.25 this week.",
            "root_causes": [history[0].why.root_cause_id],
        },
    )
    client.force_login(agent)
    response = client.get(
        reverse("knowledge:intake_panel"),
        {"summary": "Charged more than the menu", "description": "the menu board says 6.95, i paid 8.20"},
    )
    body = response.content.decode()
    assert "packaging price rise" in body and "data-customer-text" in body
    assert "What worked last time" in body and history[0].reference in body


def test_the_intake_panel_guesses_no_cause_before_the_agent_has_typed(client, history, agent):
    client.force_login(agent)
    body = client.get(reverse("knowledge:intake_panel"), {"summary": "", "channel": "phone"}).content.decode()
    assert "Looks like" not in body and "What worked last time" not in body
    assert "show as you describe the complaint" in body

    typed = client.get(reverse("knowledge:intake_panel"), {"summary": "nobody rang me back"}).content.decode()
    assert "Looks like" in typed and "What worked last time" in typed


def test_the_model_learns_the_words_of_the_articles_that_answer_a_cause(history, agent, lead, causes):
    from knowledge import services

    services.article_create(
        actor=lead,
        data={
            "title": "Eco-friendly packaging surcharge",
            "body": "A surcharge for the compostable packaging is added to every order from Monday.",
            "root_causes": [causes["price"].pk],
        },
    )
    suggestions.model_refresh(force=True)

    # Without the article's words the model leans to the call-back cause ("nobody told me").
    found = suggest(agent, "nobody told me about a compostable packaging surcharge")

    assert found.root_causes[0][0] == causes["price"]
    assert suggestions.current_model().triaged == 20  # the article is not a triaged case


def test_past_cases_of_the_believed_cause_show_though_worded_otherwise(history, agent, causes):
    found = suggest(agent, "overcharged at the counter, the display said one amount and the till another")

    shown = found.shown(found.similar_cases)
    assert found.root_causes[0][0] == causes["price"]
    # What worked last time shows for the same kind of problem, not only for the same words
    # (two of them showed when the score was the product of words and belief).
    assert [case.why.root_cause for case, _ in shown[:3]] == [causes["price"]] * 3
    assert [s for _, s in found.similar_cases] == sorted((s for _, s in found.similar_cases), reverse=True)


def _counting_embeddings(monkeypatch) -> list[str]:
    embedded: list[str] = []
    real = embedding.embed

    def counting(texts):
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(embedding, "embed", counting)
    embedding._memo.clear()
    return embedded


def test_retraining_embeds_only_the_complaints_new_or_reworded_since_the_last(history, agent, monkeypatch):
    assert ComplaintVector.objects.count() == 20
    embedded = _counting_embeddings(monkeypatch)

    def complaints():
        # The taxonomy's few texts (a cause's name, its articles) are embedded at each training.
        cases = Case.objects.filter(pk__in=[c.pk for c in history])
        return [t for t in embedded if t in {f"{c.summary}\n{c.description}" for c in cases}]

    suggestions.model_refresh(force=True)
    assert complaints() == []  # every triaged complaint's vector was stored

    case_update(
        case=history[0], actor=agent, changes={"description": "the till charged 5.75, the board says 4.50"}
    )
    suggestions.model_refresh(force=True)
    assert complaints() == [f"{history[0].summary}\nthe till charged 5.75, the board says 4.50"]


def test_a_model_of_another_sentence_encoder_is_retrained_at_the_next_refresh(history):
    TriageModel.objects.update(encoder="")  # as stored before this encoder
    before = TriageModel.objects.first().pk

    refresh_suggestions()  # what beat runs every minute, no case triaged since

    newest = TriageModel.objects.first()
    assert newest.pk > before and newest.encoder == embedding.NAME


def test_one_training_at_a_time_whatever_the_workers(history, capsys):
    before = TriageModel.objects.first().pk
    lease = suggestions._lease()
    assert lease.add(suggestions._training_key(), "another worker", 60)
    try:
        assert suggestions.model_refresh(force=True) is None  # beat's next tick, beside it
        call_command("refresh_suggestions")
        assert "running already" in capsys.readouterr().out
        assert TriageModel.objects.first().pk == before
    finally:
        lease.delete(suggestions._training_key())

    assert suggestions.model_refresh(force=True).pk > before
    assert not suggestions.training_elsewhere()  # the lease is given back


def test_a_case_erased_while_the_model_trains_does_not_stop_the_training(history, monkeypatch):
    read = list(suggestions._docs())
    ghost = learning.Doc(text="charged more than the board said", root_cause=read[0].root_cause, key=10**9)
    monkeypatch.setattr(suggestions, "_docs", lambda: iter(read + [ghost]))
    before = TriageModel.objects.first().pk

    row = suggestions.model_refresh(force=True)

    assert row.pk > before and row.triaged_cases == 21
    assert not ComplaintVector.objects.filter(case_id=10**9).exists()
