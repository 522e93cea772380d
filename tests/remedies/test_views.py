"""The remedies panel, the give form, the approvals page and the admin actions."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from remedies import services
from remedies.models import ApprovalRequest, AuthorityCap, Remedy
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def post_remedy(client, case, **overrides):
    data = {"kind": "", "amount": "10", "currency": "GBP", "note": "Sorry for the wait.", **overrides}
    return client.post(f"/remedies/cases/{case.reference}/give/", data)


def test_the_case_page_shows_what_the_agent_may_still_give(caps, agent_client, case, coupon):
    page = agent_client.get(f"/cases/{case.reference}/").content.decode()
    assert "You may still give up to <strong>50.00 GBP</strong> at once" in page
    assert "100.00 left on this case" in page and "Give remedy" in page


def test_giving_within_authority_applies_at_once(caps, agent_client, case, coupon):
    response = post_remedy(agent_client, case, kind=coupon.pk, amount="15.00", plus_one="on")

    assert response.status_code == 302 and response["Location"].endswith("#remedies")
    remedy = Remedy.objects.get()
    assert remedy.amount == Decimal("15.00") and remedy.plus_one
    page = agent_client.get(response["Location"]).content.decode()
    assert "Given: Coupon or voucher 15.00 GBP." in page
    assert "gave a remedy: Coupon or voucher 15.00 GBP +1" in page
    assert 'class="badge plus-one"' in page


def test_giving_over_the_cap_shows_it_pending_with_a_countdown(caps, agent_client, lead, team, case, refund):
    team.lead = lead
    team.save()

    response = post_remedy(agent_client, case, kind=refund.pk, amount="120")

    assert not Remedy.objects.exists()
    approval = ApprovalRequest.objects.get()
    page = agent_client.get(response["Location"]).content.decode()
    assert "went to Lee for approval" in page
    assert f'id="approval-{approval.pk}"' in page and "data-due-at=" in page
    assert "Approve" not in page  # agents cannot decide


@pytest.mark.parametrize(
    ("amount", "currency", "field", "message"),
    [
        ("-5", "GBP", "amount", "cannot be negative"),
        ("ten", "GBP", "amount", "Enter a number"),
        ("1.234", "GBP", "amount", "no more than 2 decimal places"),
        ("10", "XYZ", "currency", "Unknown currency XYZ"),
    ],
)
def test_bad_input_gives_field_errors_and_keeps_what_was_typed(
    caps, agent_client, case, coupon, amount, currency, field, message
):
    response = post_remedy(
        agent_client, case, kind=coupon.pk, amount=amount, currency=currency, note="Keep me"
    )

    assert response.status_code == 400
    form = response.context["remedy_form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "Keep me" in page and f'value="{amount}"' in page
    assert not Remedy.objects.exists() and not ApprovalRequest.objects.exists()


def test_the_customer_total_warning_needs_an_explicit_confirmation(
    caps, agent_client, agent, team, coupon, settings
):
    settings.CUSTOMER_REMEDY_WARNING = Decimal("20")
    case = factories.open_case(actor=agent, team=team)

    response = post_remedy(agent_client, case, kind=coupon.pk, amount="25")
    assert response.status_code == 400
    assert "Confirm to go ahead" in response.content.decode()
    assert not Remedy.objects.exists()

    response = post_remedy(agent_client, case, kind=coupon.pk, amount="25", confirmed_customer_total="on")
    assert response.status_code == 302 and Remedy.objects.count() == 1


def test_another_teams_agent_gets_404(caps, client, other_team, case, coupon):
    client.force_login(factories.UserFactory(username="omar", teams=[other_team]))
    assert post_remedy(client, case, kind=coupon.pk).status_code == 404
    assert not Remedy.objects.exists()


def test_a_lead_approves_from_the_case_page_with_a_reason(caps, client, agent, lead, case, refund):
    client.force_login(agent)
    post_remedy(client, case, kind=refund.pk, amount="120")
    approval = ApprovalRequest.objects.get()
    client.force_login(lead)

    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Approve" in page and "Deny" in page
    empty = client.post(f"/remedies/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": ""})
    assert empty.status_code == 400 and "Give a reason" in empty.content.decode()

    response = client.post(
        f"/remedies/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": "Third late box."}
    )

    assert response.status_code == 302
    assert Remedy.objects.get().approval == approval
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "approved by Lee" in page and "Third late box." in page


def test_the_approvals_page_lists_pending_requests_for_leads_only(caps, client, agent, lead, case, refund):
    client.force_login(agent)
    post_remedy(client, case, kind=refund.pk, amount="120")
    assert client.get("/remedies/approvals/").status_code == 403
    assert "Approvals</a>" not in client.get("/cases/").content.decode()

    client.force_login(lead)
    page = client.get("/remedies/approvals/").content.decode()
    assert case.reference in page and "Full refund 120.00 GBP" in page
    approval = ApprovalRequest.objects.get()
    response = client.post(
        f"/remedies/approvals/{approval.pk}/decide/",
        {
            "decision": "deny",
            "reason": "Refunded last week.",
            "from": "approvals",
            "next": "/remedies/approvals/",
        },
    )
    assert response["Location"] == "/remedies/approvals/"
    approval.refresh_from_db()
    assert approval.status == "denied"


def test_a_lead_of_another_team_gets_404_on_the_decision(caps, client, agent, other_team, case, refund):
    client.force_login(agent)
    post_remedy(client, case, kind=refund.pk, amount="120")
    client.force_login(factories.UserFactory(username="nia", role="team_lead", teams=[other_team]))
    approval = ApprovalRequest.objects.get()
    response = client.post(
        f"/remedies/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": "ok"}
    )
    assert response.status_code == 404
    assert "Full refund" not in client.get("/remedies/approvals/").content.decode()


def test_the_admin_cannot_add_remedies_and_decides_through_the_service(caps, client, agent, case, refund):
    admin_user = factories.UserFactory(username="ada", role="admin", is_staff=True, is_superuser=True)
    client.force_login(agent)
    post_remedy(client, case, kind=refund.pk, amount="120")
    approval = ApprovalRequest.objects.get()
    client.force_login(admin_user)

    assert client.get("/admin/remedies/remedy/add/").status_code == 403
    response = client.post(
        "/admin/remedies/approvalrequest/",
        {"action": "approve_requests", "_selected_action": [approval.pk]},
    )

    assert response.status_code == 302
    remedy = Remedy.objects.get()
    assert remedy.approval == approval and remedy.given_by == agent
    approval.refresh_from_db()
    assert approval.decided_by == admin_user and approval.decision_reason == "Approved in the admin."


def test_an_admin_action_cannot_approve_ones_own_request(caps, client, case, refund):
    admin_user = factories.UserFactory(username="ada", role="team_lead", is_staff=True, is_superuser=True)
    approval = services.remedy_give(
        case=case, actor=admin_user, kind=refund, amount="0.01", currency="EUR", confirmed_customer_total=True
    ).approval
    client.force_login(admin_user)
    client.post(
        "/admin/remedies/approvalrequest/", {"action": "approve_requests", "_selected_action": [approval.pk]}
    )
    approval.refresh_from_db()
    assert approval.status == "pending" and not Remedy.objects.exists()


def test_the_panel_renders_with_missing_data(caps, client, team, refund):
    # A customer with no contact details, an agent with no cap, nothing given, a free remedy
    # with no note, and a request nobody in particular is assigned to.
    capless = factories.UserFactory(username="cal", role="agent", teams=[team])
    customer = factories.CustomerFactory(name="Ann", email="", phone="")
    case = factories.open_case(actor=capless, team=team, customer=customer, description="")
    AuthorityCap.objects.filter(role="agent").delete()
    client.force_login(capless)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "You have no authority to spend" in page and "Nothing given yet." in page
    assert "Ann in the last 12 months" in page and "Received in total: nothing" in page

    services.remedy_give(case=case, actor=capless, kind=refund, amount="5", currency="GBP")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "for a manager" in page  # the team has no lead


def test_a_closed_case_or_a_retired_kind_gives_a_clear_error(caps, agent_client, agent, case, coupon):
    coupon.active = False
    coupon.save()
    response = post_remedy(agent_client, case, kind=coupon.pk)
    assert response.status_code == 400 and "Select a valid choice" in " ".join(
        response.context["remedy_form"].errors["kind"]
    )
    with pytest.raises(ValidationError, match="no longer offered"):
        services.remedy_give(case=case, actor=agent, kind=coupon, amount="1", currency="GBP")


def test_the_approvals_page_costs_the_same_queries_for_one_or_many(
    caps, client, agent, lead, team, refund, django_assert_max_num_queries
):
    def ask():
        case = factories.open_case(actor=agent, team=team)
        services.remedy_give(
            case=case, actor=agent, kind=refund, amount="90", currency="GBP", confirmed_customer_total=True
        )

    ask()
    client.force_login(lead)
    with CaptureQueriesContext(connection) as one:
        client.get("/remedies/approvals/")
    for _ in range(5):
        ask()
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/remedies/approvals/").content.decode()
    assert page.count('class="card approval"') == 6


def test_the_case_page_does_not_grow_queries_with_each_remedy(caps, client, agent, case, coupon):
    client.force_login(agent)
    services.remedy_give(case=case, actor=agent, kind=coupon, amount="1", currency="GBP")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/cases/{case.reference}/")
    for _ in range(5):
        services.remedy_give(case=case, actor=agent, kind=coupon, amount="1", currency="GBP", plus_one=True)
    with CaptureQueriesContext(connection) as six:
        client.get(f"/cases/{case.reference}/")
    assert len(six.captured_queries) == len(one.captured_queries)


def test_an_admin_action_by_a_staff_lead_respects_the_leads_own_cap(caps, client, agent, team, case, refund):
    staff_lead = factories.UserFactory(username="lee", role="team_lead", teams=[team], is_staff=True)
    staff_lead.user_permissions.add(Permission.objects.get(codename="view_approvalrequest"))
    approval = services.remedy_give(
        case=case, actor=agent, kind=refund, amount="700", currency="GBP", confirmed_customer_total=True
    ).approval
    client.force_login(staff_lead)

    response = client.post(
        "/admin/remedies/approvalrequest/",
        {"action": "approve_requests", "_selected_action": [approval.pk]},
        follow=True,
    )

    assert "a manager must decide" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "pending" and not Remedy.objects.exists()


def test_the_admin_pages_open_and_caps_are_managed_there(caps, client, agent, case, coupon):
    admin_user = factories.UserFactory(username="ada", role="admin", is_staff=True, is_superuser=True)
    services.remedy_give(case=case, actor=agent, kind=coupon, amount="5", currency="GBP")
    client.force_login(admin_user)

    for model in ("remedykind", "authoritycap", "remedy", "budget", "approvalrequest"):
        assert client.get(f"/admin/remedies/{model}/").status_code == 200, model
    response = client.post(
        "/admin/remedies/authoritycap/add/",
        {"role": "", "user": agent.pk, "kind": coupon.pk, "currency": "GBP", "max_per_remedy": "-1"},
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    assert not AuthorityCap.objects.filter(user=agent).exists()
    neither = client.post("/admin/remedies/authoritycap/add/", {"role": "", "user": "", "currency": "GBP"})
    assert "A cap is for a role or for one user" in neither.content.decode()


def test_a_manager_sees_every_teams_approvals_and_the_agent_sees_the_answer(
    caps, client, agent, manager, case, refund
):
    services.remedy_give(
        case=case, actor=agent, kind=refund, amount="700", currency="GBP", confirmed_customer_total=True
    )
    approval = ApprovalRequest.objects.get()
    client.force_login(manager)
    assert f'id="approval-{approval.pk}"' in client.get("/remedies/approvals/").content.decode()
    client.post(f"/remedies/approvals/{approval.pk}/decide/", {"decision": "deny", "reason": "Too much."})

    client.force_login(agent)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "decided an approval (denied): Full refund 700.00 GBP" in page
    assert "Too much." in page and not Remedy.objects.exists()
