"""Release planning, as the co-ordinator and the lead agency live it: a plan with its checklist counted back
from the release, a date that moves, the level decided before release, the dashboard's "what is missing",
and the reminders that go out through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from mappa_workflow.working_days import is_working_day
from notifications.between_meetings import release_reminders_send
from notifications.models import MessageKind, OutboxMessage
from notifications.selectors import coordinators as coordinators_of
from release_planning import services
from release_planning.models import ChecklistItemKind, ReleasePlan, ReleasePlanningSettings
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "probation": factories.practitioner(AgencyType.PROBATION, email="probation.officer@example.invalid"),
        "coordinator": factories.coordinator(email="coordinator@example.invalid"),
        "police": factories.practitioner(AgencyType.POLICE),
        "smb": factories.smb_member(),
    }


def _plan(people, *, weeks: int = 8, children_linked: bool = False) -> ReleasePlan:
    registration = factories.registration_in_custody(referrer=people["probation"], children_linked=children_linked)
    return services.release_plan_create(
        actor=people["probation"],
        individual=registration.individual,
        expected_date=timezone.localdate() + dt.timedelta(weeks=weeks),
    )


def _items(plan: ReleasePlan) -> dict[str, dt.date]:
    return {item.kind: item.due_date for item in plan.items.all()}


@pytest.mark.calendar
def test_the_lead_agency_plans_a_release_and_the_checklist_counts_back_from_it(people):
    plan = _plan(people, weeks=8)
    release = plan.expected_date
    items = _items(plan)
    assert set(items) == {
        ChecklistItemKind.APPROVED_ADDRESS,
        ChecklistItemKind.LICENCE_CONDITIONS,
        ChecklistItemKind.MAPPA_J,
        ChecklistItemKind.VICTIM_LIAISON,
        ChecklistItemKind.PRISON_REPORT,
    }, "children's services only where children are linked"
    # MAPPA J: six weeks before release, or the working day before that if it is a weekend or bank holiday
    six_weeks = release - dt.timedelta(weeks=6)
    assert items[ChecklistItemKind.MAPPA_J] <= six_weeks
    assert (six_weeks - items[ChecklistItemKind.MAPPA_J]).days < 7
    assert all(is_working_day(day) for day in items.values()), "nothing falls due on a day off"
    assert plan.level_decision_due <= release - dt.timedelta(weeks=12)
    assert plan.lead_agency == people["probation"].agency
    assert plan.date_changes.count() == 1
    assert AuditEvent.objects.filter(object_type="release_planning.ReleasePlan", object_id=str(plan.pk)).exists()


def test_children_linked_adds_the_childrens_services_notification(people):
    plan = _plan(people, children_linked=True)
    assert ChecklistItemKind.CHILDRENS_SERVICES in _items(plan)


def test_an_area_sets_its_own_lead_times(people):
    settings = ReleasePlanningSettings.for_area(people["coordinator"].area)
    settings.level_decision_weeks = 16
    settings.save()
    plan = _plan(people, weeks=20)
    assert plan.level_decision_due <= plan.expected_date - dt.timedelta(weeks=16)


def test_only_someone_in_custody_or_hospital_has_a_release_plan(people):
    registration = factories.registration_at_level(2, referrer=people["probation"])
    with pytest.raises(WorkflowError) as refused:
        services.release_plan_create(
            actor=people["coordinator"],
            individual=registration.individual,
            expected_date=timezone.localdate() + dt.timedelta(weeks=8),
        )
    assert "individual" in refused.value.errors
    assert not ReleasePlan.objects.exists()


def test_one_open_plan_per_person_and_a_release_date_in_the_past_is_refused(people):
    plan = _plan(people)
    with pytest.raises(WorkflowError):
        services.release_plan_create(
            actor=people["coordinator"], individual=plan.individual, expected_date=plan.expected_date
        )
    registration = factories.registration_in_custody(referrer=people["probation"])
    with pytest.raises(WorkflowError) as refused:
        services.release_plan_create(
            actor=people["coordinator"],
            individual=registration.individual,
            expected_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "expected_date" in refused.value.errors


def test_another_agency_cannot_plan_the_release_and_the_smb_cannot_at_all(people):
    registration = factories.registration_in_custody(referrer=people["probation"])
    for outsider in (people["police"], people["smb"]):
        with pytest.raises(NotPermitted):
            services.release_plan_create(
                actor=outsider,
                individual=registration.individual,
                expected_date=timezone.localdate() + dt.timedelta(weeks=8),
            )


@pytest.mark.calendar
def test_a_new_date_keeps_the_history_and_moves_what_is_not_yet_done(people):
    plan = _plan(people, weeks=10)
    services.checklist_item_complete(
        actor=people["probation"], plan=plan, kind=ChecklistItemKind.APPROVED_ADDRESS, notes="Approved premises place"
    )
    before = _items(plan)
    first_date = plan.expected_date
    plan = services.release_plan_change_date(
        actor=people["probation"],
        plan=plan,
        expected_date=first_date + dt.timedelta(weeks=3),
        reason="Parole Board deferred the hearing",
    )
    after = _items(plan)
    assert after[ChecklistItemKind.APPROVED_ADDRESS] == before[ChecklistItemKind.APPROVED_ADDRESS], "done stays done"
    assert after[ChecklistItemKind.MAPPA_J] > before[ChecklistItemKind.MAPPA_J]
    history = list(plan.date_changes.values_list("previous_date", "new_date", "reason"))
    assert history == [
        (None, first_date, "Plan started"),
        (first_date, first_date + dt.timedelta(weeks=3), "Parole Board deferred the hearing"),
    ]


def test_the_level_for_release_is_recorded_with_its_rationale(people):
    plan = _plan(people)
    with pytest.raises(WorkflowError) as refused:
        services.release_plan_decide_level(actor=people["coordinator"], plan=plan, level=2, rationale=" ")
    assert "rationale" in refused.value.errors
    plan = services.release_plan_decide_level(
        actor=people["coordinator"], plan=plan, level=2, rationale="Panel on the 3rd: remains Level 2 on release."
    )
    assert plan.decided_level == 2 and plan.level_decided_on == timezone.localdate()


@pytest.mark.calendar
def test_the_dashboard_shows_a_missing_mappa_j_until_the_lead_agency_records_it(client, people):
    plan = _plan(people, weeks=8)
    factories.verify_client(client, people["coordinator"])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert str(plan.individual) in page and "MAPPA J sent to Jobcentre Plus" in page

    services.third_party_notification_record(
        actor=people["probation"],
        individual=plan.individual,
        release_plan=plan,
        completes_item=ChecklistItemKind.MAPPA_J,
        recipient_type="dwp",
        recipient="Jobcentre Plus, Northampton (synthetic)",
        what_was_shared="MAPPA J: restrictions on jobs with access to children",
        why_necessary="So that work-search does not place the person near the victim",
        lawful_basis="Crime and Disorder Act 1998 s.115; MAPPA guidance ch. 10",
        why_proportionate="Only the restriction and the contact point are shared",
        recipient_undertaking="Held by the named work coach only",
        individual_told=True,
        sent_on=timezone.localdate(),
    )
    page = client.get(reverse("web:dashboard")).content.decode()
    assert str(plan.individual) in page
    assert "MAPPA J sent to Jobcentre Plus" not in page


@pytest.mark.calendar
def test_reminders_go_to_the_lead_agency_inbox_and_the_coordinator_once_a_day_naming_no_one(people):
    people["probation"].agency.email = "probation.mappa@example.invalid"
    people["probation"].agency.save()
    plan = _plan(people, weeks=8)
    due = min(_items(plan).values())
    coordinators = {u.email for u in coordinators_of(plan.area)}
    assert "coordinator@example.invalid" in coordinators
    assert release_reminders_send(today=due) == 1 + len(coordinators)
    assert release_reminders_send(today=due) == 0, "the same day adds nothing"
    messages = OutboxMessage.objects.filter(kind=MessageKind.RELEASE_REMINDER)
    assert {m.recipient_email for m in messages} == {"probation.mappa@example.invalid", *coordinators}
    for message in messages:
        assert plan.individual.family_name not in message.body_text
        assert reverse("web:release_plan", args=[plan.pk]) in message.body_text


def test_nothing_due_sends_nothing(people):
    _plan(people, weeks=30)
    assert release_reminders_send(today=timezone.localdate()) == 0


def test_a_closed_plan_leaves_the_dashboard_and_cannot_be_changed(people):
    plan = _plan(people)
    plan = services.release_plan_close(
        actor=people["coordinator"], plan=plan, outcome="withdrawn", note="Recalled sentence extended"
    )
    with pytest.raises(WorkflowError):
        services.checklist_item_complete(
            actor=people["coordinator"], plan=plan, kind=ChecklistItemKind.MAPPA_J, notes="Sent"
        )
    from release_planning.selectors import upcoming_releases

    assert upcoming_releases(people["coordinator"], area=plan.area, today=timezone.localdate()) == []
