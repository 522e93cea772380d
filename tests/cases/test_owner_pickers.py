"""An integration's user belongs to its teams for scoping, but is offered nowhere as a person."""

import pytest

from cases.views.forms import AssignForm
from integrations.tokens import api_token_create

pytestmark = pytest.mark.django_db


def test_the_hand_off_picker_offers_the_teams_people_but_not_its_tokens(team, case, lead):
    robot = api_token_create(name="Order system", teams=[team], can_write=True)[0].user

    offered = set(AssignForm(case=case).fields["to_owner"].queryset)

    assert lead in offered
    assert robot not in offered
