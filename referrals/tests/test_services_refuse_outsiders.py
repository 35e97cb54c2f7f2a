"""Every change to a referral, a registration or a person's record, asked of the service itself (as the API and the
imports ask it): someone with no part in it is refused, and nothing is written. A referral is the referring
agency's and the co-ordinators'; screening, levels, circumstances and exits are the co-ordinators' and chairs'."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import AgencyType, Area, AuditEvent
from referrals import services
from referrals.models import Individual, LifeEventType, Referral, Registration, RegistrationPeriod
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A draft and a sent referral from probation, and a Level 2 case."""
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.registration_at_level(2)
    return {
        "area": factories.northamptonshire(),
        "person": registration.individual,
        "draft": factories.draft_referral(referrer=probation),
        "sent": factories.submitted_referral(referrer=probation),
        "registration": registration,
        "police": factories.agency(factories.northamptonshire(), AgencyType.POLICE),
        "today": timezone.localdate(),
    }


CHANGES: dict[str, Callable] = {
    "record a person": lambda actor, w: services.individual_create(
        actor=actor, area=w["area"], given_names="Ash", family_name="Synthetic", date_of_birth=w["today"].replace(1990)
    ),
    "correct a person": lambda actor, w: services.individual_update(
        actor=actor, individual=w["person"], family_name="Changed"
    ),
    "record a life event": lambda actor, w: services.life_event_record(
        actor=actor, individual=w["person"], event_type=LifeEventType.SHPO_IMPOSED, occurred_on=w["today"]
    ),
    "change a draft": lambda actor, w: services.referral_update(
        actor=actor, referral=w["draft"], reason_for_referral="Changed"
    ),
    "send a draft": lambda actor, w: services.referral_submit(actor=actor, referral=w["draft"]),
    "discard a draft": lambda actor, w: services.referral_discard(actor=actor, referral=w["draft"]),
    "withdraw a referral": lambda actor, w: services.referral_withdraw(
        actor=actor, referral=w["sent"], reason="Not eligible"
    ),
    "ask for more information": lambda actor, w: services.referral_request_more_information(
        actor=actor, referral=w["sent"], request="The index offence date"
    ),
    "screen a referral": lambda actor, w: services.referral_decide(
        actor=actor, referral=w["sent"], decision="level_2", rationale="Meets the threshold"
    ),
    "register a person": lambda actor, w: services.registration_open(
        actor=actor,
        individual=w["draft"].individual,
        area=w["area"],
        category=2,
        level=1,
        location="community",
        lead_agency=w["police"],
        start_date=w["today"],
        reason="Became eligible",
    ),
    "change the level": lambda actor, w: services.registration_change_level(
        actor=actor, registration=w["registration"], level=3, effective_date=w["today"], reason="Escalating"
    ),
    "change the circumstances": lambda actor, w: services.registration_change_circumstances(
        actor=actor, registration=w["registration"], effective_date=w["today"], reason="Recalled", location="custody"
    ),
    "end the registration": lambda actor, w: services.registration_exit(
        actor=actor, registration=w["registration"], reason="died", effective_date=w["today"]
    ),
}

OUTSIDERS: dict[str, Callable] = {
    "another area's co-ordinator": lambda: factories.coordinator(
        Area.objects.exclude(slug="northamptonshire").order_by("pk").first()
    ),
    "a housing practitioner with no part in it": lambda: factories.practitioner(AgencyType.HOUSING),
    "an SMB member": lambda: factories.smb_member(),
}


def _written() -> tuple:
    return (
        AuditEvent.objects.count(),
        list(Referral.objects.order_by("pk").values_list("pk", "state", "reason_for_referral")),
        list(Registration.objects.order_by("pk").values_list("pk", "status")),
        RegistrationPeriod.objects.count(),
        list(Individual.objects.order_by("pk").values_list("pk", "family_name")),
    )


# Any practitioner of the area may record a person (to refer them): housing is no outsider to that.
MAY = {("record a person", "a housing practitioner with no part in it")}


@pytest.mark.parametrize(("change", "outsider"), [(c, o) for c in CHANGES for o in OUTSIDERS if (c, o) not in MAY])
def test_someone_with_no_part_in_a_case_cannot_change_it(world, change, outsider):
    actor = OUTSIDERS[outsider]()
    before = _written()
    with pytest.raises(NotPermitted):
        CHANGES[change](actor, world)
    assert _written() == before
