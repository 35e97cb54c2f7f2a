"""What a co-ordinator sees when they change a scheduled panel: who is told, what the audit trail says (who
did what to which meeting and why, naming cases by id only), and the exact message, against the field the page
shows it on, when the change cannot be made. A refused change changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.exceptions import ConcurrentChangeError, WorkflowError
from mappa_workflow.models import AgencyType, AuditAction, AuditEvent, Seniority
from meetings import services
from meetings.models import AgendaItem, AgendaItemKind, Invitation, Meeting, MeetingState, PanelCondition
from notifications.models import OutboxMessage
from referrals.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return factories.coordinator()


@pytest.fixture
def panel(coordinator):
    return factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)], actor=coordinator)


def _state(meeting) -> tuple:
    meeting.refresh_from_db()
    return (
        meeting.state,
        meeting.starts_at,
        meeting.venue,
        meeting.video_link,
        meeting.chair_id,
        meeting.ics_sequence,
        sorted(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        sorted(Invitation.objects.filter(meeting=meeting).values_list("agency_id", "reason")),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def _last_event(meeting) -> AuditEvent:
    return AuditEvent.objects.filter(object_id=str(meeting.pk)).latest("pk")


def _outbox_actors(meeting) -> set:
    return {
        m.payload["actor_id"] for m in OutboxMessage.objects.all() if m.payload.get("meeting_id") == str(meeting.pk)
    }


# --- taking a case off the agenda -------------------------------------------------------------------------------


def test_a_case_taken_off_is_audited_by_its_ids_with_the_reason_and_invitees_are_told(
    panel, coordinator, django_capture_on_commit_callbacks, received
):
    item = panel.agenda_items.get()
    registration = item.registration
    sequence = panel.ics_sequence
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_remove_case(actor=coordinator, meeting=panel, item=item, reason="Booked in error")
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    event = _last_event(panel)
    assert (event.actor, event.action, event.object_type) == (coordinator, AuditAction.CHANGE, "meetings.Meeting")
    assert event.reason == "Case taken off the agenda: Booked in error"
    assert event.details == {
        "individual": str(registration.individual_id),
        "registration": str(registration.pk),
        "referral": None,
        "kind": AgendaItemKind.FIRST_MEETING,
    }
    assert registration.individual.family_name not in str(event.details)
    panel.refresh_from_db()
    assert panel.ics_sequence == sequence + 1
    assert received == [("meeting_updated", {"meeting_id": panel.pk, "actor_id": coordinator.pk})]
    assert _outbox_actors(panel) == {coordinator.pk}


def test_a_referral_taken_off_a_threshold_agenda_is_audited_as_the_referral_screened(
    coordinator, django_capture_on_commit_callbacks, received
):
    referral = factories.submitted_referral()
    threshold = factories.scheduled_meeting("threshold", referrals=[referral], actor=coordinator)
    item = threshold.agenda_items.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_remove_case(actor=coordinator, meeting=threshold, item=item, reason="Withdrawn")
    assert _last_event(threshold).details == {
        "individual": str(referral.individual_id),
        "registration": None,
        "referral": str(referral.pk),
        "kind": AgendaItemKind.SCREENING,
    }
    assert received == [("meeting_updated", {"meeting_id": threshold.pk, "actor_id": coordinator.pk})]


def test_a_coordinator_who_takes_a_case_off_twice_is_told_it_is_already_off_and_nothing_changes(panel, coordinator):
    item = panel.agenda_items.get()
    services.meeting_remove_case(actor=coordinator, meeting=panel, item=item, reason="Booked in error")
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_remove_case(actor=coordinator, meeting=panel, item=item, reason="Booked in error")
    assert refused.value.errors == {"agenda_item": ["That case has already been taken off the agenda"]}
    assert _state(panel) == before


# --- adding cases -----------------------------------------------------------------------------------------------


def test_a_referral_submitted_after_the_threshold_meeting_was_booked_is_added_to_its_agenda(
    coordinator, django_capture_on_commit_callbacks, received
):
    threshold = factories.scheduled_meeting("threshold", referrals=[factories.submitted_referral()], actor=coordinator)
    late = factories.submitted_referral()
    with django_capture_on_commit_callbacks(execute=True):
        [item] = services.meeting_add_cases(actor=coordinator, meeting=threshold, referrals=[late])
    assert (item.meeting_id, item.referral_id, item.kind) == (threshold.pk, late.pk, AgendaItemKind.SCREENING)
    event = _last_event(threshold)
    assert (event.actor, event.reason) == (coordinator, "Cases added to the agenda")
    assert event.details == {"registrations": [], "referrals": [str(late.pk)]}
    assert received == [("meeting_updated", {"meeting_id": threshold.pk, "actor_id": coordinator.pk})]


def test_a_referral_already_on_the_threshold_agenda_cannot_be_added_again(coordinator):
    referral = factories.submitted_referral()
    threshold = factories.scheduled_meeting("threshold", referrals=[referral], actor=coordinator)
    before = _state(threshold)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_add_cases(actor=coordinator, meeting=threshold, referrals=[referral])
    assert refused.value.errors == {"referrals": [f"{referral.individual} is already on this meeting's agenda"]}
    assert _state(threshold) == before


def test_a_referral_cannot_be_put_on_a_panels_agenda(panel, coordinator):
    referral = factories.submitted_referral()
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_add_cases(actor=coordinator, meeting=panel, referrals=[referral])
    assert refused.value.errors == {"referrals": ["Referrals are screened at a threshold meeting"]}
    assert _state(panel) == before


def test_a_case_picked_twice_is_refused_and_not_added(panel, coordinator):
    due = factories.registration_at_level(2)
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_add_cases(actor=coordinator, meeting=panel, registrations=[due, due])
    assert refused.value.errors == {"registrations": [f"{due.individual} is listed twice"]}
    assert _state(panel) == before


# --- inviting another agency ------------------------------------------------------------------------------------


def test_an_agency_invited_later_is_stored_and_audited_with_the_coordinators_reason(
    panel, coordinator, django_capture_on_commit_callbacks, received
):
    dwp = factories.agency(panel.area, AgencyType.DWP)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite_agency(actor=coordinator, meeting=panel, agency=dwp, reason="Benefit fraud history")
    stored = Invitation.objects.get(meeting=panel, agency=dwp)
    assert stored.reason == "Added by the co-ordinator: Benefit fraud history"
    event = _last_event(panel)
    assert (event.actor, event.reason, event.details) == (coordinator, stored.reason, {"invited_agency": dwp.pk})
    assert received == [("meeting_updated", {"meeting_id": panel.pk, "actor_id": coordinator.pk})]


# --- arrangements -----------------------------------------------------------------------------------------------


def test_a_new_video_link_alone_is_saved_audited_and_sent_in_the_coordinators_name(
    panel, coordinator, django_capture_on_commit_callbacks, received
):
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update_arrangements(
            actor=coordinator, meeting=panel, video_link=" https://video.example.invalid/new-room "
        )
    panel.refresh_from_db()
    assert panel.video_link == "https://video.example.invalid/new-room"
    event = _last_event(panel)
    assert (event.actor, event.details) == (coordinator, {"fields": ["video_link"]})
    assert received == [("meeting_updated", {"meeting_id": panel.pk, "actor_id": coordinator.pk})]
    assert _outbox_actors(panel) == {coordinator.pk}


def test_saving_the_arrangements_unchanged_tells_no_one_and_writes_nothing(
    panel, coordinator, django_capture_on_commit_callbacks, received
):
    services.meeting_update_arrangements(actor=coordinator, meeting=panel, venue="Wootton Hall")
    before = _state(panel)
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update_arrangements(
            actor=coordinator, meeting=panel, venue=" Wootton Hall ", video_link=panel.video_link, chair=panel.chair
        )
    assert _state(panel) == before
    assert received == []


def test_a_new_chair_is_saved_and_audited(panel, coordinator):
    new_chair = factories.chair()
    services.meeting_update_arrangements(actor=coordinator, meeting=panel, chair=new_chair)
    panel.refresh_from_db()
    assert panel.chair == new_chair
    assert _last_event(panel).details == {"fields": ["chair"]}


def test_a_level_3_panel_cannot_be_handed_to_a_chair_below_superintendent(coordinator):
    level_3 = factories.scheduled_meeting("level_3", registrations=[factories.registration_at_level(3)])
    inspector = factories.chair(seniority=Seniority.MANAGER)
    before = _state(level_3)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_update_arrangements(actor=coordinator, meeting=level_3, chair=inspector)
    assert refused.value.errors == {
        "chair": [
            f"A Level 3 panel must be chaired at superintendent-equivalent seniority or above; {inspector} is not"
        ]
    }
    assert _state(level_3) == before


def test_a_malformed_video_link_is_refused_against_the_link_and_changes_nothing(panel, coordinator):
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_update_arrangements(actor=coordinator, meeting=panel, video_link="teams meeting room 4")
    assert refused.value.errors == {"video_link": ["Enter a valid URL."]}
    assert _state(panel) == before


# --- a cancelled meeting ----------------------------------------------------------------------------------------

ON_A_CANCELLED_MEETING: dict[str, tuple[Callable, str]] = {
    "adding a case": (
        lambda c, m, due: services.meeting_add_cases(actor=c, meeting=m, registrations=[due]),
        "You cannot change the agenda because the meeting is cancelled",
    ),
    "taking a case off": (
        lambda c, m, _: services.meeting_remove_case(
            actor=c, meeting=m, item=m.agenda_items.get(), reason="Booked in error"
        ),
        "You cannot change the agenda because the meeting is cancelled",
    ),
    "inviting another agency": (
        lambda c, m, _: services.meeting_invite_agency(
            actor=c, meeting=m, agency=factories.agency(m.area, AgencyType.DWP), reason="Benefits"
        ),
        "You cannot invite another agency because the meeting is cancelled",
    ),
    "changing the venue": (
        lambda c, m, _: services.meeting_update_arrangements(actor=c, meeting=m, venue="Wootton Hall"),
        "You cannot change the arrangements because the meeting is cancelled",
    ),
    "rescheduling it": (
        lambda c, m, _: services.meeting_reschedule(
            actor=c, meeting=m, starts_at=m.starts_at + dt.timedelta(days=1), reason="Quorum found"
        ),
        "You cannot reschedule it because this meeting is cancelled",
    ),
    "cancelling it again": (
        lambda c, m, _: services.meeting_cancel(actor=c, meeting=m, reason="Still no quorum"),
        "You cannot cancel it because this meeting is cancelled",
    ),
}


@pytest.mark.parametrize("change", ON_A_CANCELLED_MEETING)
def test_a_cancelled_meeting_cannot_be_changed_and_the_coordinator_is_told_why(panel, coordinator, change):
    services.meeting_cancel(actor=coordinator, meeting=panel, reason="No quorum")
    call, message = ON_A_CANCELLED_MEETING[change]
    meeting = Meeting.objects.get(pk=panel.pk)
    due = factories.registration_at_level(2)
    before = _state(meeting)
    with pytest.raises(WorkflowError) as refused:
        call(coordinator, meeting, due)
    assert refused.value.errors == {"state": [message]}
    assert _state(meeting) == before


# --- scheduling -------------------------------------------------------------------------------------------------


def _next_week(days: int = 7, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


def test_a_scheduled_panel_is_audited_and_its_invitations_sent_in_the_coordinators_name(
    coordinator, django_capture_on_commit_callbacks, received, settings
):
    settings.MEETINGS_ICS_DOMAIN = "calendar.example.invalid"
    area = factories.northamptonshire()
    chair = factories.chair()
    due = factories.registration_at_level(2)
    police, dwp = factories.agency(area, AgencyType.POLICE), factories.agency(area, AgencyType.DWP)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_schedule(
            actor=coordinator,
            area=area,
            meeting_type="level_2",
            starts_at=_next_week(),
            chair=chair,
            venue="  Wootton Hall  ",
            registrations=[due],
            extra_invitations=[(police, "Lead agency"), (dwp, "Benefits")],
        )
    assert (meeting.venue, meeting.created_by, meeting.chair) == ("Wootton Hall", coordinator, chair)
    assert meeting.ics_uid == f"meeting-{meeting.pk}@calendar.example.invalid"  # calendars match updates by it
    reasons = dict(Invitation.objects.filter(meeting=meeting).values_list("agency_id", "reason"))
    assert reasons[police.pk] == "Core panel"  # a panel agency keeps its panel reason
    assert reasons[dwp.pk] == "Added by the co-ordinator: Benefits"
    event = _last_event(meeting)
    assert (event.actor, event.action, event.to_state) == (coordinator, AuditAction.CREATE, "scheduled")
    assert event.details == {
        "meeting_type": "level_2",
        "starts_at": str(_next_week()),
        "chair": chair.pk,
        "cases": 1,
        "recorded_after_the_event": False,
        "extra_invitations": [police.pk, dwp.pk],
    }
    assert received == [("meeting_scheduled", {"meeting_id": meeting.pk, "actor_id": coordinator.pk})]
    assert _outbox_actors(meeting) == {coordinator.pk}


def test_a_meeting_recorded_after_the_event_says_so_in_the_audit_trail(coordinator):
    yesterday = _next_week(days=-1)
    meeting = factories.scheduled_meeting("level_2", starts_at=yesterday, allow_past=True, actor=coordinator)
    assert _last_event(meeting).details["recorded_after_the_event"] is True
    assert _last_event(meeting).details["cases"] == 0


def test_a_threshold_meeting_screens_the_waiting_referrals_in_the_order_they_arrived(coordinator):
    newer = factories.submitted_referral(submitted_on=timezone.localdate())
    older = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=5))
    booked = factories.submitted_referral()
    factories.scheduled_meeting("threshold", referrals=[booked], starts_at=_next_week(days=3), actor=coordinator)
    freed = factories.submitted_referral()
    cancelled = factories.scheduled_meeting("threshold", referrals=[freed], starts_at=_next_week(days=4))
    services.meeting_cancel(actor=coordinator, meeting=cancelled, reason="No quorum")
    threshold = factories.scheduled_meeting("threshold", starts_at=_next_week(days=10), actor=coordinator)
    agenda = list(threshold.agenda_items.order_by("position").values_list("referral_id", "position", "kind"))
    screening = AgendaItemKind.SCREENING
    assert agenda == [(older.pk, 1, screening), (newer.pk, 2, screening), (freed.pk, 3, screening)]
    assert _last_event(threshold).details["cases"] == 3


def test_a_panel_scheduled_without_naming_cases_has_an_empty_agenda(coordinator):
    factories.submitted_referral()
    panel = factories.scheduled_meeting("level_2", actor=coordinator)
    assert not panel.agenda_items.exists()


def test_cases_added_later_follow_the_agenda_and_a_case_already_reviewed_comes_for_review(panel, coordinator):
    first_meeting, reviewed = factories.registration_at_level(2), factories.registration_at_level(2)
    Registration.objects.filter(pk=reviewed.pk).update(next_review_due=timezone.localdate() + dt.timedelta(days=7))
    reviewed.refresh_from_db()
    services.meeting_add_cases(actor=coordinator, meeting=panel, registrations=[first_meeting, reviewed])
    agenda = list(panel.agenda_items.order_by("position").values_list("registration_id", "position", "kind"))
    assert agenda[1:] == [
        (first_meeting.pk, 2, AgendaItemKind.FIRST_MEETING),
        (reviewed.pk, 3, AgendaItemKind.REVIEW),
    ]
    event = _last_event(panel)
    assert event.details == {"registrations": [str(first_meeting.pk), str(reviewed.pk)], "referrals": []}


def test_a_meeting_imported_by_the_system_is_created_and_moved_by_no_one(django_capture_on_commit_callbacks, received):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_schedule(
            actor=None,
            area=factories.northamptonshire(),
            meeting_type="level_2",
            starts_at=_next_week(),
            chair=factories.chair(),
            venue="Wootton Hall",
        )
        services.meeting_reschedule(
            actor=None, meeting=meeting, starts_at=_next_week(days=8), reason="Imported correction"
        )
    assert meeting.created_by is None
    assert meeting.reschedules.get().rescheduled_by is None
    assert [e.actor for e in AuditEvent.objects.filter(object_id=str(meeting.pk))] == [None, None]
    assert received == [
        ("meeting_scheduled", {"meeting_id": meeting.pk, "actor_id": None}),
        ("meeting_updated", {"meeting_id": meeting.pk, "actor_id": None}),
    ]


def _needs(meeting) -> dict:
    """The case needs the meeting's invitations were sent for, with the kind of agency invited for each."""
    return dict(Invitation.objects.filter(meeting=meeting).exclude(need="").values_list("need", "agency__agency_type"))


def test_a_case_in_custody_brings_the_prison_to_the_panel_and_a_child_linked_case_childrens_services(coordinator):
    in_custody = factories.registration_in_custody(level=2)
    with_children = factories.registration_at_level(2, individual=factories.IndividualFactory(children_linked=True))
    panel = factories.scheduled_meeting("level_2", registrations=[in_custody, with_children], actor=coordinator)
    needs = _needs(panel)
    assert needs[PanelCondition.IN_CUSTODY] == AgencyType.PRISON
    assert PanelCondition.CHILDREN_LINKED in needs
    assert PanelCondition.UNDER_18 not in needs


def test_a_referral_of_someone_with_children_linked_brings_childrens_services_to_the_threshold_meeting(coordinator):
    referral = factories.submitted_referral(individual=factories.IndividualFactory(children_linked=True))
    threshold = factories.scheduled_meeting("threshold", referrals=[referral], actor=coordinator)
    assert _needs(threshold) == {PanelCondition.CHILDREN_LINKED: AgencyType.CHILDRENS_SOCIAL_CARE}


def test_a_young_person_is_invited_for_as_under_18_only_if_still_under_18_on_the_day_of_the_panel(coordinator):
    meeting_day = timezone.localdate() + dt.timedelta(days=7)

    def panel_for(born: dt.date):
        person = factories.IndividualFactory(date_of_birth=born)
        registration = factories.registration_at_level(2, individual=person)
        return factories.scheduled_meeting("level_2", registrations=[registration], starts_at=_next_week(days=7))

    eighteen_years_before = meeting_day.replace(year=meeting_day.year - 18)
    still_17 = panel_for(eighteen_years_before + dt.timedelta(days=2))
    adult_by_then = panel_for(eighteen_years_before - dt.timedelta(days=3))
    assert PanelCondition.UNDER_18 in _needs(still_17)
    assert PanelCondition.UNDER_18 not in _needs(adult_by_then)


SCHEDULING_REFUSALS: dict[str, tuple[dict, str, str]] = {
    "an unknown kind of meeting": (
        {"meeting_type": "level_4"},
        "meeting_type",
        "Select a threshold meeting, Level 2 panel or Level 3 panel",
    ),
    "neither venue nor video link": ({"venue": "  ", "video_link": " "}, "venue", "Enter a venue or a video link"),
    "a malformed video link": ({"video_link": "teams room 4"}, "video_link", "Enter a valid URL."),
}


@pytest.mark.parametrize("refusal", SCHEDULING_REFUSALS)
def test_a_meeting_that_cannot_be_scheduled_names_its_field_and_writes_nothing(coordinator, refusal):
    changes, field, message = SCHEDULING_REFUSALS[refusal]
    chair = factories.chair()
    before = (Meeting.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    arguments = {"meeting_type": "level_2", "venue": "", "video_link": "", **changes}
    with pytest.raises(WorkflowError) as refused:
        services.meeting_schedule(
            actor=coordinator, area=factories.northamptonshire(), starts_at=_next_week(), chair=chair, **arguments
        )
    assert refused.value.errors == {field: [message]}
    assert (Meeting.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count()) == before


# --- rescheduling -----------------------------------------------------------------------------------------------


def test_each_change_to_a_panel_raises_its_calendar_sequence_so_calendars_keep_only_the_latest(panel, coordinator):
    sequence = panel.ics_sequence
    for venue in ("Wootton Hall", "Campbell Square", "Weston Favell"):
        panel = services.meeting_update_arrangements(
            actor=coordinator, meeting=Meeting.objects.get(pk=panel.pk), venue=venue
        )
    panel = services.meeting_reschedule(
        actor=coordinator,
        meeting=Meeting.objects.get(pk=panel.pk),
        starts_at=panel.starts_at + dt.timedelta(days=1),
        reason="Room double-booked",
    )
    panel.refresh_from_db()
    assert (panel.venue, panel.ics_sequence) == ("Weston Favell", sequence + 4)


def test_a_rescheduled_panel_keeps_the_reason_who_moved_it_and_tells_invitees(
    panel, coordinator, django_capture_on_commit_callbacks, received
):
    previous, sequence = panel.starts_at, panel.ics_sequence
    later = previous + dt.timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(actor=coordinator, meeting=panel, starts_at=later, reason="Chair on leave")
    panel.refresh_from_db()
    assert (panel.starts_at, panel.ends_at, panel.ics_sequence) == (
        later,
        later + dt.timedelta(minutes=panel.duration_minutes),
        sequence + 1,
    )
    move = panel.reschedules.get()
    assert (move.previous_starts_at, move.new_starts_at, move.reason, move.rescheduled_by) == (
        previous,
        later,
        "Chair on leave",
        coordinator,
    )
    event = _last_event(panel)
    assert (event.actor, event.transition, event.reason) == (coordinator, "reschedule", "Chair on leave")
    assert event.details == {"from": str(previous), "to": str(later)}
    assert received == [("meeting_updated", {"meeting_id": panel.pk, "actor_id": coordinator.pk})]


def test_a_panel_can_be_made_shorter_without_moving_its_start(panel, coordinator):
    services.meeting_reschedule(
        actor=coordinator, meeting=panel, starts_at=panel.starts_at, duration_minutes=60, reason="Fewer cases"
    )
    panel.refresh_from_db()
    assert (panel.duration_minutes, panel.ends_at) == (60, panel.starts_at + dt.timedelta(minutes=60))


def test_a_panel_cannot_be_moved_into_the_past(panel, coordinator):
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_reschedule(actor=coordinator, meeting=panel, starts_at=_next_week(days=-1), reason="Typo")
    assert refused.value.errors == {"starts_at": ["The meeting must be scheduled for a time in the future"]}
    assert _state(panel) == before


def test_a_panel_cannot_be_moved_to_a_time_its_chair_is_chairing_another(panel, coordinator):
    other = factories.scheduled_meeting("level_2", starts_at=_next_week(days=8), chair_user=panel.chair)
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_reschedule(actor=coordinator, meeting=panel, starts_at=other.starts_at, reason="Clash")
    assert refused.value.errors == {"chair": [f"{panel.chair} already chairs a meeting at that time ({other})"]}
    assert _state(panel) == before


def test_a_panel_cannot_be_moved_to_a_time_one_of_its_cases_is_on_another_agenda(panel, coordinator):
    registration = panel.agenda_items.get().registration
    other = factories.scheduled_meeting("level_2", starts_at=_next_week(days=8), registrations=[registration])
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_reschedule(actor=coordinator, meeting=panel, starts_at=other.starts_at, reason="Clash")
    assert refused.value.errors == {
        "registrations": [
            f"{registration.individual} is already on the agenda of another meeting at that time ({other})"
        ]
    }
    assert _state(panel) == before


def test_a_threshold_meeting_cannot_be_moved_to_a_time_one_of_its_referrals_is_screened_elsewhere(coordinator):
    referral = factories.submitted_referral()
    threshold = factories.scheduled_meeting("threshold", referrals=[referral], starts_at=_next_week(days=9))
    other = factories.scheduled_meeting("threshold", referrals=[referral], starts_at=_next_week(days=8))
    before = _state(threshold)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_reschedule(actor=coordinator, meeting=threshold, starts_at=other.starts_at, reason="Clash")
    assert refused.value.errors == {
        "referrals": [f"{referral.individual} is already on the agenda of another meeting at that time ({other})"]
    }
    assert _state(threshold) == before


def test_cancelling_a_panel_someone_has_just_recorded_as_held_asks_to_reload_and_changes_nothing(coordinator):
    meeting = factories.scheduled_meeting("level_2", starts_at=_next_week(days=-1), allow_past=True)
    loaded = Meeting.objects.get(pk=meeting.pk)
    services.meeting_record_held(actor=coordinator, meeting=meeting)
    with pytest.raises(ConcurrentChangeError) as refused:
        services.meeting_cancel(actor=coordinator, meeting=loaded, reason="Chair unavailable")
    assert refused.value.errors == {
        "__all__": [
            "This meeting was changed by someone else while you were working on it. Reload the page and try again."
        ]
    }
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.HELD


# --- recording that it was held ---------------------------------------------------------------------------------


def test_a_meeting_recorded_as_held_is_audited_as_the_coordinators_transition(coordinator):
    meeting = factories.scheduled_meeting("level_2", starts_at=_next_week(days=-1), allow_past=True)
    services.meeting_record_held(actor=coordinator, meeting=meeting)
    held = Meeting.objects.get(pk=meeting.pk)
    assert (held.state, held.held_at is not None) == ("held", True)
    event = _last_event(meeting)
    assert (event.actor, event.transition, event.from_state, event.to_state) == (
        coordinator,
        "hold",
        "scheduled",
        "held",
    )


def test_a_meeting_can_be_recorded_as_held_from_the_minute_it_starts(panel, coordinator):
    with time_machine.travel(panel.starts_at, tick=False):
        services.meeting_record_held(actor=coordinator, meeting=panel)
    assert Meeting.objects.get(pk=panel.pk).state == "held"


def test_a_meeting_cannot_be_recorded_as_held_before_it_starts(panel, coordinator):
    before = _state(panel)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_held(actor=coordinator, meeting=panel)
    starts = f"{timezone.localtime(panel.starts_at):%-d %B %Y %H:%M}"
    assert refused.value.errors == {"state": [f"The meeting has not started yet: it starts at {starts}"]}
    assert _state(panel) == before


def test_a_cancelled_meeting_cannot_be_recorded_as_held(coordinator):
    meeting = factories.scheduled_meeting("level_2", starts_at=_next_week(days=-1), allow_past=True)
    cancelled = services.meeting_cancel(actor=coordinator, meeting=meeting, reason="No quorum")
    before = _state(cancelled)
    with pytest.raises(WorkflowError) as refused:
        services.meeting_record_held(actor=coordinator, meeting=cancelled)
    assert refused.value.errors == {"state": ["You cannot record it as held because this meeting is cancelled"]}
    assert _state(cancelled) == before
