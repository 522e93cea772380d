"""Intake: a complaint becomes a case, and the clock starts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..events import record_event
from ..models import Case, Channel, Customer, CustomerExternalId, JourneyStage, Product, Severity
from ..validators import validate_person_name


def customer_find_or_create(
    *, name: str, email: str = "", phone: str = "", source: str = "", external_id: str = ""
) -> Customer:
    """Match by external id, then e-mail, then phone; create the customer when nobody matches."""
    email = email.strip().lower()
    phone = phone.strip()
    customer = None
    if source and external_id:
        link = (
            CustomerExternalId.objects.select_related("customer")
            .filter(source=source, external_id=external_id)
            .first()
        )
        customer = link.customer if link else None
    if customer is None and email:
        customer = Customer.objects.filter(email__iexact=email).order_by("id").first()
    if customer is None and phone:
        customer = Customer.objects.filter(phone=phone).order_by("id").first()
    if customer is None:
        if not name.strip():
            raise ValidationError({"customer_name": "Give the customer's name."})
        try:
            validate_person_name(name)
        except ValidationError as exc:
            raise ValidationError({"customer_name": exc.messages}) from None
        customer = Customer.objects.create(name=name.strip(), email=email, phone=phone)
        # Its external ids are the ones written below and no others: an answer built from this
        # customer needs no query to list them.
        customer.external_id_pairs = []
    if source and external_id:
        link, created = CustomerExternalId.objects.get_or_create(
            source=source, external_id=external_id, defaults={"customer": customer}
        )
        if created and hasattr(customer, "external_id_pairs"):
            customer.external_id_pairs.append((source, external_id))
    return customer


def customer_matches(*, email: str = "", phone: str = "") -> list[Customer]:
    """Customers we already know by this e-mail or phone: for the agent to choose from, since a
    shared family address or a new number must not silently make two people one."""
    email, phone = email.strip().lower(), phone.strip()
    found = Customer.objects.none()
    if email:
        found |= Customer.objects.filter(email__iexact=email)
    if phone:
        found |= Customer.objects.filter(phone=phone)
    return list(found.order_by("id")[:5]) if (email or phone) else []


def customer_create(*, name: str, email: str = "", phone: str = "") -> Customer:
    """A new customer exactly as typed, even when someone else shares the e-mail or phone: the
    agent looked at the match and said this is another person."""
    errors = {}
    if not name.strip():
        errors["customer_name"] = "Give the customer's name."
    else:
        try:
            validate_person_name(name)
        except ValidationError as exc:
            errors["customer_name"] = exc.messages
    if not (email.strip() or phone.strip()):
        errors["customer_email"] = "Give an e-mail or a phone number so we can reach them."
    if errors:
        raise ValidationError(errors)
    return Customer.objects.create(name=name.strip(), email=email.strip().lower(), phone=phone.strip())


def _check_intake(*, actor, team, owner, channel, journey_stage, severity, summary) -> None:
    errors = {}
    if not summary.strip():
        errors["summary"] = "Say in a line what went wrong."
    if channel not in Channel.values:
        errors["channel"] = f"Unknown channel {channel!r}."
    if journey_stage not in JourneyStage.values:
        errors["journey_stage"] = f"Unknown journey stage {journey_stage!r}."
    if severity not in Severity.values:
        errors["severity"] = f"Unknown severity {severity!r}."
    if owner is not None and not owner.works_in(team):
        errors["owner"] = f"{owner} is not in team {team}."
    if errors:
        raise ValidationError(errors)
    if actor is not None and not actor.works_in(team):
        raise PermissionDenied("You can only open cases for your own teams.")


def _is_integration(user) -> bool:
    # The reverse one-to-one from an API token; absent (an AttributeError) for a person.
    return getattr(user, "api_token", None) is not None


def case_open(
    *,
    actor,
    customer: Customer,
    channel: str,
    summary: str,
    product: Product,
    journey_stage: str,
    team,
    severity: str = Severity.MEDIUM,
    description: str = "",
    source_reference: str = "",
    source: str = "",
    external_id: str = "",
    owner=None,
    opened_at=None,
    apologise: bool = False,
    macro: int | None = None,
) -> Case:
    """Open a case. With no owner given, the human who logs it owns it: one name from the start.

    An integration's user is not a person: its cases wait unassigned in the team's queue.
    `apologise` and `macro` are what the agent asked to happen with the opening; the concerns
    that send messages and apply macros react to the opening event, in this transaction, so a
    case never opens without the apology the agent was told was sent.
    """
    if owner is None and actor is not None and actor.is_authenticated and not _is_integration(actor):
        owner = actor
    _check_intake(
        actor=actor,
        team=team,
        owner=owner,
        channel=channel,
        journey_stage=journey_stage,
        severity=severity,
        summary=summary,
    )
    # No savepoint of its own: nothing of a case that failed to open may stay, and a caller that
    # opens it inside its own transaction (finding the customer first) rolls back with it.
    with transaction.atomic(savepoint=False):
        case = Case.objects.create(
            customer=customer,
            channel=channel,
            summary=summary.strip(),
            description=description.strip(),
            product=product,
            journey_stage=journey_stage,
            severity=severity,
            team=team,
            owner=owner,
            created_by=actor,
            source_reference=source_reference.strip(),
            source=source.strip(),
            external_id=external_id.strip(),
            opened_at=opened_at or timezone.now(),
        )
        record_event(
            case=case,
            kind="case.opened",
            actor=actor,
            at=case.opened_at,
            data={
                "channel": channel,
                "severity": severity,
                "team": team.pk,
                "owner": owner.pk if owner else None,
                "status": case.status,
                "triage_stage": case.triage_stage,
                **({"apologise": True} if apologise else {}),
                **({"macro": macro} if macro else {}),
            },
        )
    return case
