"""A small hand-made set of cases placed in time, with the figures a person would count by hand.

Period: 1-20 March 2026 (Europe/London is on GMT then, so local time equals UTC).
  A  2 Mar 10:00  customer X  responded +30 min, resolved +4 h by its first owner    root cause C1
     follow-up satisfied/retained on 6 Mar, survey 5 on 7 Mar
  B  3 Mar 10:00  customer Y  responded +60 min, handed to the lead, resolved +10 h  root cause C1
     follow-up no answer/unknown on 12 Mar, survey 3 on 13 Mar
  C  5 Mar 10:00  customer X  responded +2 h                                           root cause C2
  D 10 Mar 10:00  customer X  new
  E 15 Feb 10:00  customer Z  new (before the period: counts "now", not in the period)
  F  4 Mar 10:00  other team, new (invisible to the lead)
"""

import datetime
from dataclasses import dataclass

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from insights import services
from tests import factories

UTC = datetime.UTC


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


NOW = at(3, 20, 12)


@dataclass
class Dataset:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case
    f: Case
    cause1: object
    cause2: object


def _why(case, *, agent, lead, cause):
    case_services.triage_record_what(case=case, actor=agent, answers=dict(factories.WHAT_ANSWERS))
    case_services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    case_services.triage_record_why(
        case=case, actor=lead, answers={"root_cause": cause, "explanation": "Traced.", "origin": "ours"}
    )


def build(time_machine, *, agent, lead, team, other_team) -> Dataset:
    cause1 = factories.root_cause("Delivery time not agreed")
    cause2 = factories.root_cause("Promotion not applied", category="Pricing")
    x, y, z = factories.CustomerFactory(), factories.CustomerFactory(), factories.CustomerFactory()
    other_agent = factories.UserFactory(username="olga", teams=[other_team])

    def move(when):
        time_machine.move_to(when, tick=False)

    def open_at(when, customer, actor=agent, team=team):
        move(when)
        return factories.open_case(actor=actor, team=team, customer=customer, opened_at=when)

    def step(when, case, action, actor=agent, **data):
        move(when)
        return case_services.case_transition(case=case, action=action, actor=actor, data=data)

    e = open_at(at(2, 15), z)
    a = open_at(at(3, 2), x)
    step(at(3, 2, 10, 30), a, Action.RESPOND, message="Sorry, I own this.")
    step(at(3, 2, 14), a, Action.RESOLVE, resolution="Replaced.")
    b = open_at(at(3, 3), y)
    step(at(3, 3, 11), b, Action.RESPOND, message="Sorry.")
    move(at(3, 3, 12))
    case_services.case_assign(case=b, to_owner=lead, actor=agent, reason="Needs a refund above my cap.")
    step(at(3, 3, 20), b, Action.RESOLVE, actor=lead, resolution="Refunded.")
    f = open_at(at(3, 4), factories.CustomerFactory(), actor=other_agent, team=other_team)
    c = open_at(at(3, 5), x)
    step(at(3, 5, 12), c, Action.RESPOND, message="Sorry.")
    move(at(3, 5, 13))
    for case, cause in ((a, cause1), (b, cause1), (c, cause2)):
        _why(case, agent=agent, lead=lead, cause=cause)

    move(at(3, 6))
    services.follow_up_record(case=a, actor=agent, outcome="satisfied", retained="yes", note="Happy.")
    _inv, token_a = services.survey_send(case=a, actor=agent, channel="email")
    move(at(3, 7))
    services.survey_answer(token=token_a, score=5, comment="Great.")
    d = open_at(at(3, 10), x)
    move(at(3, 12))
    services.follow_up_record(case=b, actor=agent, outcome="no_answer", retained="unknown")
    _inv, token_b = services.survey_send(case=b, actor=agent, channel="sms")
    move(at(3, 13))
    services.survey_answer(token=token_b, score=3)
    move(NOW)
    refreshed = [Case.objects.get(pk=case.pk) for case in (a, b, c, d, e, f)]
    return Dataset(*refreshed, cause1=cause1, cause2=cause2)
