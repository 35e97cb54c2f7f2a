"""A case's circumstances change (recalled to custody, a new lead agency, a new category) from a date: the open
period ends the day before and a new one starts, the change is audited with its reason and announced after the
commit, and a change that cannot be made names its field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent
from referrals import services
from referrals.models import RegistrationPeriod
from referrals.signals import registration_changed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """A Level 2 case accepted 30 days ago, in the community, led by probation."""
    return factories.registration_at_level(2)


def _periods(registration) -> list[tuple]:
    return list(
        RegistrationPeriod.objects.filter(registration=registration)
        .order_by("start_date", "pk")
        .values_list("start_date", "end_date", "category", "level", "location", "lead_agency__agency_type")
    )


def _audited(registration) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(registration.pk), action=AuditAction.CHANGE))


def test_a_recall_to_custody_with_a_new_lead_agency_starts_a_new_period_audited_and_announced(
    case, django_capture_on_commit_callbacks, registration_announcements
):
    coordinator = factories.coordinator()
    prison = factories.agency(case.area, AgencyType.PRISON)
    (start, _, category, level, location, lead) = _periods(case)[0]
    recalled = timezone.localdate() - dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_change_circumstances(
            actor=coordinator,
            registration=case,
            effective_date=recalled,
            reason="Recalled for breach of licence",
            location="custody",
            lead_agency=prison,
        )

    assert _periods(case) == [
        (start, recalled, category, level, location, lead),
        (recalled, None, category, level, "custody", AgencyType.PRISON),
    ]
    assert RegistrationPeriod.objects.get(registration=case, end_date=None).change_reason == (
        "Recalled for breach of licence"
    )
    (event,) = _audited(case)
    assert (event.actor, event.reason) == (coordinator, "Recalled for breach of licence")
    assert event.details == {
        "effective_date": recalled.isoformat(),
        "category": None,
        "location": "custody",
        "lead_agency": prison.pk,
    }
    assert registration_announcements == [
        {
            "signal": registration_changed,
            "registration_id": case.pk,
            "transition": "circumstances_changed",
            "actor_id": coordinator.pk,
        }
    ]


def test_a_change_of_category_alone_keeps_the_place_and_the_lead_agency(case):
    services.registration_change_circumstances(
        actor=factories.coordinator(),
        registration=case,
        effective_date=timezone.localdate(),
        reason="Now Category 3",
        category=3,
    )
    (_, _, _, level, location, lead), (_, end, category, new_level, new_location, new_lead) = _periods(case)
    assert (end, category, new_level, new_location, new_lead) == (None, 3, level, location, lead)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Enter the reason for the change"),
        ({"effective_date": "tomorrow"}, "effective_date", None),
        ({"lead_agency": "elsewhere"}, "lead_agency", "The lead agency must be an agency of the registration's area"),
        ({"location": "the moon"}, "location", "Select community, custody or hospital"),
    ],
)
def test_a_change_that_cannot_be_made_names_its_field_and_changes_nothing(case, change, field, message):
    values = {"effective_date": timezone.localdate(), "reason": "Moved", "location": "custody", **change}
    if values["effective_date"] == "tomorrow":
        values["effective_date"] = timezone.localdate() + dt.timedelta(days=1)
    if values.get("lead_agency") == "elsewhere":
        other_area = Area.objects.exclude(pk=case.area_id).order_by("pk").first()
        values["lead_agency"] = factories.agency(other_area, AgencyType.POLICE)
    before = _periods(case)
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_circumstances(actor=factories.coordinator(), registration=case, **values)
    assert list(refused.value.errors) == [field]
    if message:
        assert refused.value.errors[field] == [message]
    assert _periods(case) == before and _audited(case) == []


def test_an_ended_registration_has_no_circumstances_to_change(case):
    ended = services.registration_exit(
        actor=factories.coordinator(), registration=case, reason="deceased", effective_date=timezone.localdate()
    )
    before = _periods(ended)
    with pytest.raises(WorkflowError) as refused:
        services.registration_change_circumstances(
            actor=factories.coordinator(),
            registration=ended,
            effective_date=timezone.localdate(),
            reason="Moved",
            location="custody",
        )
    assert refused.value.errors == {"state": ["This registration has ended"]}
    assert _periods(ended) == before
