import pytest

from cases import services
from cases.workflow import Action
from knowledge import suggestions
from tests import factories

PRICE = [
    "the board says 6.95 but i paid 8.20 for my burger meal",
    "was charged more than what was displayed on the menu",
    "till price different to the price on the shelf label",
    "receipt doesnt match the advertised price at all",
    "got stung an extra 1.25 compared to the menu board",
    "paid over the odds compared to the price on the screen",
    "the menu price and the receipt price are not the same",
    "charged more than the board price for the family meal",
    "the price on the board was lower than what i paid",
    "my receipt shows more than the menu says",
]
CALLBACK = [
    "promised to ring me back by 5 and still waiting",
    "a manager would phone me next day, never happened",
    "they took my number and said someone would call, nothing",
    "third time ive been promised a call back",
    "sat by the phone all afternoon waiting for you to ring",
    "said theyd call once they checked the warehouse, never did",
    "nobody phoned me back like they said they would",
    "waiting for the call i was promised on monday",
    "the callback they booked never came",
    "told me to expect a phone call today, no call",
]


def triage(case, *, lead, agent, cause):
    services.triage_record_what(case=case, actor=agent, answers=factories.WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    services.triage_record_why(case=case, actor=lead, answers={"root_cause": cause})


@pytest.fixture
def causes(db):
    return {
        "price": factories.root_cause("Charged above the menu price", "Pricing"),
        "callback": factories.root_cause("Callback never made", "Process"),
    }


@pytest.fixture
def history(team, agent, lead, causes):
    """Twenty triaged cases, ten for each of two causes, and a model trained on them."""
    product = factories.ProductFactory(name="Restaurant dining")
    cases = []
    for texts, cause, severity in (
        (PRICE, causes["price"], "medium"),
        (CALLBACK, causes["callback"], "high"),
    ):
        for text in texts:
            case = factories.open_case(
                actor=agent,
                team=team,
                summary=text[:60],
                description=text,
                product=product,
                severity=severity,
            )
            triage(case, lead=lead, agent=agent, cause=cause)
            cases.append(case)
    suggestions.model_refresh(force=True)
    return cases
