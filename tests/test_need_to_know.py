"""The canary harness: a Category 4 person and another area's person, with names and references that
cannot occur by chance, appear in every kind of record. Every role reads everything the service can
show it, and no response or message may carry a canary the written rule (docs/security.md, "Who sees
whom") does not allow that reader.

What is read is found, not listed: every route of the URL resolver (pages and API, filled with the
canaries' own records, and each list searched for the canary's name), every API GET operation of the
OpenAPI schema, every admin changelist (searched too), add page and change page of every record the
world holds, the minutes PDF (its text and the HTML it is made from), every statistics export format,
every outbox message (bodies, payload and .ics) and the .ics of every meeting. A new route, admin or
message type is therefore covered without editing this file; a URL parameter of a new kind fails
``_fill`` loudly until it is taught where to find a value.

Who may see which canary (the oracle is written out here, not asked of ``need_to_know.permissions``,
so removing a scope from the code makes this test fail instead of moving the goalposts):
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.authtoken.models import Token

from mappa_workflow.models import AgencyType, Area, Role, RoleAssignment, User
from meetings import services as meeting_services
from meetings.ics import meeting_ics
from meetings.models import AgencyReport, AgendaItem, Attendance, Invitation, Meeting, PlanHeading, ReportChase
from notifications import services as notification_services
from notifications.models import ExportJob, ExportStatus, OutboxMessage
from oversight import services as oversight_services
from oversight.audits.questions import MEETING_QUESTIONS
from oversight.audits.sampling import quarter_of
from referrals import identifiers
from referrals import services as referral_services
from referrals.models import Alias, LifeEventType, Referral, Registration
from tests import factories
from tests.canaries import outbox_text
from tests.test_access_matrix import named_routes
from transfers import services as transfer_services
from victims import services as victim_services

pytestmark = pytest.mark.django_db

CATEGORY_4, OTHER_AREA = "category 4", "other area"
# Which canaries each reader may see. Everyone else in the world (uncleared co-ordinator and chair, the
# practitioners of agencies invited to the panel, an uninvolved practitioner, SMB member, lay adviser)
# sees neither.
MAY_SEE: dict[str, set[str]] = {
    "coordinator": set(),
    "chair": set(),
    "police": set(),  # invited to the panel and owning actions on both cases of its area
    "probation": set(),  # referred the visible case; invited to the panel
    "uninvolved": set(),
    "smb": set(),
    "lay": set(),
    "administrator": {OTHER_AREA},  # administrators see every area; Category 4 needs clearance, whatever the role
    "cleared_coordinator": {CATEGORY_4},
    "cleared_police": {CATEGORY_4},  # referred the Category 4 person
    "cleared_administrator": {CATEGORY_4, OTHER_AREA},
    "other_area_coordinator": {OTHER_AREA},
    "other_area_police": {OTHER_AREA},  # invited to the other area's panel about its person
}
__doc__ = (__doc__ or "") + "\n".join(f"    {role}: {sorted(seen) or 'neither'}" for role, seen in MAY_SEE.items())

# Victims' views are narrower than the case: the area's co-ordinators and chairs and the recording victim
# liaison officer's agency (probation, whose practitioner records them) read them; nobody else, the police
# invited to the same panel, administrators and the SMB included. Their words appear nowhere else: no
# message, export or other area carries them.
VICTIM_VIEWS_TEXT = "Victimcanary-Wolfsbane: she fears he will wait outside the Quenby Lane pharmacy."
MAY_READ_VICTIM_VIEWS = {"coordinator", "chair", "probation", "cleared_coordinator"}
__doc__ += f"\n\nVictims' views are read by {sorted(MAY_READ_VICTIM_VIEWS)} only."


@dataclass
class Canary:
    given_names: str
    family_name: str
    alias: str
    number: int
    records: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def identifiers(self) -> list[str]:
        return [
            self.family_name,
            self.alias,
            identifiers.visor_reference(self.number),
            identifiers.pnc_reference(2011, self.number),
            identifiers.ndelius_reference(self.number),
        ]

    def found_in(self, text: str) -> list[str]:
        upper = text.upper()
        return [i for i in self.identifiers if i.upper() in upper]


CANARIES = {
    CATEGORY_4: Canary("Quillon Ambrose", "Canaryfour-Vantablack", "Zephyrine Quockwood", 913_579),
    OTHER_AREA: Canary("Oberon Thistle", "Canaryelsewhere-Marrowfield", "Xanthippe Glimmerock", 864_213),
}
VISIBLE = Canary("Perpetua Jane", "Controlcase-Higginbottom", "Ptolemy Brackenfurze", 775_311)  # everyone involved sees


# ---------------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------------


def _person(canary: Canary, area: Area, *, young_in_custody: bool = False):
    person = factories.IndividualFactory(
        area=area,
        given_names=canary.given_names,
        family_name=canary.family_name,
        visor_reference=identifiers.visor_reference(canary.number),
        pnc_reference=identifiers.pnc_reference(2011, canary.number),
        ndelius_reference=identifiers.ndelius_reference(canary.number),
        children_linked=young_in_custody,
        **({"date_of_birth": timezone.localdate() - dt.timedelta(days=16 * 365 + 100)} if young_in_custody else {}),
    )
    Alias.objects.create(individual=person, name=canary.alias)
    return person


def _case(canary: Canary, *, referrer, coordinator, category: int, young_in_custody: bool = False):
    """The person referred, accepted at Level 2 a month ago, with a life event and a second draft referral."""
    person = _person(canary, referrer.area, young_in_custody=young_in_custody)
    location = {"current_location": "custody", "proposed_release_address": "Not known"} if young_in_custody else {}
    answers = {**factories.COMPLETE_ANSWERS, "category": category, **location}
    referral = referral_services.referral_create(actor=referrer, individual=person, **answers)
    decided_on = timezone.localdate() - dt.timedelta(days=30)
    referral = referral_services.referral_submit(actor=referrer, referral=referral, submitted_on=decided_on)
    referral = referral_services.referral_decide(
        actor=coordinator,
        referral=referral,
        decision="level_2",
        rationale="Meets the threshold.",
        decided_on=decided_on,
    )
    referral_services.life_event_record(
        actor=coordinator,
        individual=person,
        event_type=LifeEventType.NOTIFICATION_ORDER_IMPOSED,
        occurred_on=timezone.localdate() - dt.timedelta(days=3),
        details="Order made at the magistrates court.",
    )
    draft = referral_services.referral_create(actor=referrer, individual=person, **answers)
    canary.records = {"individual": [person], "referral": [referral, draft], "registration": [referral.registration]}
    return referral.registration


def _panel(area: Area, *, actor, chair, registrations, owning: list[str], book_next: int | None = None):
    """A Level 2 panel held yesterday about ``registrations``: attendance, minutes, a disclosure, actions
    (with an update), then the minutes drafted; and the next panel booked for a week ahead with the first
    ``book_next`` of them (the others' reviews fall due unbooked, so the co-ordinators' alerts list them)."""
    starts_at = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(10)))
    meeting = meeting_services.meeting_schedule(
        actor=actor,
        area=area,
        meeting_type="level_2",
        starts_at=starts_at,
        chair=chair,
        video_link="https://video.example.invalid/panel",
        registrations=registrations,
        allow_past=True,
    )
    meeting = meeting_services.meeting_record_held(actor=actor, meeting=meeting)
    factories.full_attendance(meeting)
    actions = []
    for item in meeting.agenda_items.all():
        minutes = meeting_services.case_minutes_record(actor=actor, item=item, minutes=factories.minutes_input())
        meeting_services.disclosure_decision_record(
            actor=actor,
            case_minutes=minutes,
            recipient="Head teacher of the local school",
            what_is_disclosed="The risk the person poses to children, in general terms.",
            why="To protect pupils on the school run.",
            recipient_undertaking="Will not pass it on.",
            individual_told=True,
        )
        for agency_type in owning:
            action = meeting_services.risk_action_create(
                actor=actor,
                case_minutes=minutes,
                heading=PlanHeading.MONITORING_AND_CONTROL,
                description="Home visit to check the curfew address.",
                owning_agency=factories.agency(area, agency_type),
                officer_name="Officer Synthetic",
                due_date=timezone.localdate() + dt.timedelta(days=3),
            )
            meeting_services.risk_action_add_update(actor=actor, action=action, text="Visit arranged.")
            actions.append(action)
    meeting_services.meeting_draft_minutes(actor=actor, meeting=meeting)
    upcoming = meeting_services.meeting_schedule(
        actor=actor,
        area=area,
        meeting_type="level_2",
        starts_at=timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(10))),
        chair=chair,
        video_link="https://video.example.invalid/panel",
        registrations=registrations[:book_next],
    )
    return [meeting, upcoming], actions


def _docx_naming(person: Any) -> bytes:
    """A Word document (stored uncompressed, so the name is in the bytes a reader downloads) naming ``person``."""
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", f"<w:document>{person.family_name} {person.pnc_reference}</w:document>")
    return buffer.getvalue()


def _papers(meetings, writer_of: dict[Any, Any]) -> None:
    """Each invited agency's written report (with a document naming the person) on every case of every
    meeting, its answer to the invitation, and a co-ordinator's chase: the papers a reader may or may not see."""
    from meetings.models import AttendanceConfirmation

    for meeting in meetings:
        for invitation in meeting.invitations.select_related("agency"):
            AttendanceConfirmation.objects.create(
                meeting=meeting, agency=invitation.agency, intention="attending", name="Officer Synthetic"
            )
            ReportChase.objects.create(meeting=meeting, agency=invitation.agency, cases_missing=1)
            for item in meeting.agenda_items.select_related("registration__individual"):
                person = item.individual
                report = AgencyReport(
                    agenda_item=item,
                    agency=invitation.agency,
                    current_risk=f"{person.family_name} remains high risk.",
                    changes=f"{person.family_name} moved address.",
                    contribution="Weekly visits.",
                    submitted_by=writer_of.get(invitation.agency_id),
                )
                report.attachment_name = f"{person.family_name}.docx"
                report.attachment.save("report.docx", ContentFile(_docx_naming(person)), save=False)
                report.save()


def _messages(meetings, actions, referrals) -> None:
    """Every kind of outbox message the world gives rise to."""
    from notifications.meeting_changes import minutes_circulated_notify, report_chase_notify

    for meeting in meetings:
        notification_services.meeting_change_notify(meeting_id=meeting.pk, change="scheduled")
        notification_services.meeting_change_notify(meeting_id=meeting.pk, change="updated")
        minutes_circulated_notify(meeting_id=meeting.pk)
    for chase in ReportChase.objects.all():
        report_chase_notify(chase_id=chase.pk)
    for action in actions:
        notification_services.action_assigned_notify(action_id=action.pk)
    for referral in referrals:
        for transition in (
            *notification_services.REFERRAL_TO_COORDINATORS,
            *notification_services.REFERRAL_TO_REFERRER,
        ):
            notification_services.referral_transition_notify(referral_id=referral.pk, transition=transition)
    today = timezone.localdate()
    for day in (today, today + dt.timedelta(days=200)):  # the second day: reviews and actions fall due
        notification_services.action_reminders_send(today=day)
        notification_services.coordinator_alerts_send(today=day)
        notification_services.weekly_digest_send(today=day)


def _audits(users, *, north_panel, kent_panel, visible, elsewhere) -> list[Any]:
    """Each area's quarter sample, and audits of both panels (one holds the Category 4 person) by every kind of
    auditor: the lay adviser observing, the SMB member, co-ordinators; and case audits by co-ordinators."""
    year, quarter = quarter_of(timezone.localdate() - dt.timedelta(days=1))
    for coordinator in (users["coordinator"], users["other_area_coordinator"]):
        for kind in ("meeting", "case"):
            oversight_services.audit_sample_draw(
                actor=coordinator, area=coordinator.area, kind=kind, year=year, quarter=quarter, size=5
            )
    found = [
        oversight_services.quality_audit_start(actor=users[role], meeting=north_panel)
        for role in ("lay", "smb", "coordinator", "cleared_coordinator")
    ]
    found.append(oversight_services.quality_audit_start(actor=users["other_area_coordinator"], meeting=kent_panel))
    found.append(oversight_services.quality_audit_start(actor=users["coordinator"], registration=visible))
    found.append(oversight_services.quality_audit_start(actor=users["other_area_coordinator"], registration=elsewhere))
    scores = {q.key: {"score": 3} for q in MEETING_QUESTIONS}
    for audit in found[:2]:  # submitted, so the results have figures
        oversight_services.quality_audit_answer(actor=audit.auditor, audit=audit, answers=scores)
        oversight_services.quality_audit_submit(actor=audit.auditor, audit=audit)
    return found


@pytest.fixture
def _media_and_email():
    """Replaces the project-wide per-test media folder: the world's files live as long as the world."""


@pytest.fixture(scope="module")
def _built(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[tuple[dict[Any, set[Any]], dict[str, Any]]]:
    """The world, built once for this module inside a transaction rolled back at its end (each test runs in
    a savepoint within it, so what one test writes, such as audit rows of views, the next does not see)."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"), PRIVATE_FILES_ROOT=tmp_path_factory.mktemp("private")
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # The rows the migrations put in (areas, agencies, panels, schedules): not the world's records.
            reference = {
                model: set(model._default_manager.values_list("pk", flat=True)) for model in admin.site._registry
            }
            yield reference, _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def reference_rows(_built) -> dict[Any, set[Any]]:
    return _built[0]


@pytest.fixture
def world(_built) -> dict[str, Any]:
    cache.clear()
    return _built[1]


def _build_world() -> dict[str, Any]:
    cache.clear()
    north = factories.northamptonshire()
    kent = Area.objects.get(slug="kent")
    users = {
        "coordinator": factories.coordinator(),
        "chair": factories.chair(),
        "police": factories.practitioner(AgencyType.POLICE),
        "probation": factories.practitioner(AgencyType.PROBATION),
        "uninvolved": factories.practitioner(AgencyType.DWP),
        "smb": factories.smb_member(),
        "lay": factories.lay_adviser(),
        "administrator": factories.UserFactory(roles=[Role.ADMINISTRATOR]),
        "cleared_coordinator": factories.coordinator(counter_terrorism_cleared=True),
        "cleared_police": factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True),
        "cleared_administrator": factories.UserFactory(roles=[Role.ADMINISTRATOR], counter_terrorism_cleared=True),
        "other_area_coordinator": factories.coordinator(area=kent),
        "other_area_police": factories.practitioner(AgencyType.POLICE, area=kent),
    }
    for user in users.values():  # the admin is tried by every role: only the rules may narrow it
        user.is_staff = user.is_superuser = True
        user.save()
    visible = _case(VISIBLE, referrer=users["probation"], coordinator=users["coordinator"], category=2)
    category_4 = _case(
        CANARIES[CATEGORY_4],
        referrer=users["cleared_police"],
        coordinator=users["cleared_coordinator"],
        category=4,
        young_in_custody=True,  # so invitations are sent for this person's needs
    )
    kent_chair = factories.chair(area=kent)
    kent_probation = factories.practitioner(AgencyType.PROBATION, area=kent)
    elsewhere = _case(
        CANARIES[OTHER_AREA],
        referrer=kent_probation,
        coordinator=users["other_area_coordinator"],
        category=1,
        young_in_custody=True,
    )
    meetings, actions = _panel(
        north,
        actor=users["cleared_coordinator"],
        chair=users["chair"],
        registrations=[visible, category_4],
        owning=[AgencyType.POLICE, AgencyType.PROBATION],
        book_next=1,
    )
    kent_meetings, kent_actions = _panel(
        kent,
        actor=users["other_area_coordinator"],
        chair=kent_chair,
        registrations=[elsewhere],
        owning=[AgencyType.POLICE],
    )
    audits = _audits(users, north_panel=meetings[0], kent_panel=kent_meetings[0], visible=visible, elsewhere=elsewhere)
    north_board_chair = _board(users, north)
    # The probation practitioner is also the area's victim liaison officer, and records victims' views.
    RoleAssignment.objects.create(user=users["probation"], role=Role.VICTIM_LIAISON)
    victim_services.victim_view_record(
        actor=User.objects.get(pk=users["probation"].pk), registration=visible, views=VICTIM_VIEWS_TEXT
    )
    # Transfers: Kent's person asked for, and accepted, by Essex (neither area is this world's
    # Northamptonshire); the Category 4 person asked for by Kent, whose co-ordinator is not cleared.
    essex = Area.objects.get(slug="essex")
    out_of_kent = transfer_services.transfer_request(
        actor=users["other_area_coordinator"],
        registration=elsewhere,
        receiving_area=essex,
        reason="Moving to Colchester.",
        proposed_date=timezone.localdate(),
    )
    transfer_services.transfer_accept(
        actor=factories.coordinator(area=essex),
        transfer=out_of_kent,
        transfer_date=timezone.localdate(),
        lead_agency=factories.agency(essex, AgencyType.PROBATION),
    )
    to_kent = transfer_services.transfer_request(
        actor=users["cleared_coordinator"],
        registration=category_4,
        receiving_area=kent,
        reason="Moving to Dover.",
        proposed_date=timezone.localdate(),
    )
    _papers([*meetings, *kent_meetings], {u.agency_id: u for u in users.values() if u.agency_id})
    referrals = list(Referral.objects.all())
    _messages([*meetings, *kent_meetings], [*actions, *kent_actions], referrals)
    between = _between_meetings(
        users,
        kent_chair=kent_chair,
        kent_probation=kent_probation,
        visible=visible,
        category_4=category_4,
        elsewhere=elsewhere,
    )
    reviews = _serious_case_reviews(
        users, kent=kent, visible=visible, category_4=category_4, elsewhere=elsewhere, north_chair=north_board_chair
    )
    exports = []
    for user in users.values():
        export = ExportJob(requested_by=user, area=user.area, year=2024, export_format="csv", status=ExportStatus.DONE)
        export.file.save("mappa-statistics.csv", ContentFile(b"Level 2,1\n"), save=False)
        export.save()
        exports.append(export)
    assert OutboxMessage.objects.exists()
    return {
        "users": users,
        "meetings": [*meetings, *kent_meetings],
        "referrals": referrals,
        "individuals": [r.individual for r in referrals],
        "registrations": list(Registration.objects.all()),
        "actions": [*actions, *kent_actions],
        "exports": exports,
        "areas": [north, kent],
        "audits": audits,
        "transfers": [out_of_kent, to_kent],
        **between,
        **reviews,
    }


BOARD_CHAIR = "Boardchair-Okonkwo"


def _board(users, area: Area) -> User:
    """The area's SMB: a meeting held today, a chair (with the account they sign in with, cleared for Category 4, so
    that they decide on every review of the area) and a lay adviser (board members, not people of a case)."""
    today = timezone.localdate()
    coordinator = users["coordinator"]
    oversight_services.board_meeting_record(
        actor=coordinator, area=area, meeting_date=today, status="held", members_present=7, note="Quarterly board"
    )
    chair_account = factories.smb_member(area, counter_terrorism_cleared=True)
    oversight_services.board_member_appoint(
        actor=coordinator,
        area=area,
        name=BOARD_CHAIR,
        role="chair",
        agency=users["police"].agency,
        starts_on=today,
        user=chair_account,
    )
    oversight_services.board_member_appoint(
        actor=coordinator,
        area=area,
        name="Layadviser-Pemberton",
        role="lay_adviser",
        starts_on=today,
        ends_on=dt.date(today.year + 3, 3, 31),
    )
    return chair_account


def _between_meetings(users, *, kent_chair, kent_probation, visible, category_4, elsewhere) -> dict[str, list[Any]]:
    """Release plans, third-party notifications, requests to share minutes and Level 1 reviews of the canaries
    (both in custody), and the messages they cause: the reminders and the sharing requests' emails."""
    from level_one import services as level_one_services
    from notifications.between_meetings import release_reminders_send
    from release_planning import services as release_services

    today = timezone.localdate()
    notification = {
        "recipient_type": "dwp",
        "recipient": "Jobcentre Plus (synthetic office)",
        "what_was_shared": "MAPPA J: restrictions on work with children",
        "why_necessary": "Work-search must not place the person near children",
        "lawful_basis": "Duty to co-operate",
        "why_proportionate": "Only the restriction is shared",
        "recipient_undertaking": "Held by the work coach only",
        "individual_told": True,
        "sent_on": today,
    }
    plans, notifications, sharing, reviews = [], [], [], []
    for registration, coordinator, sender, chair in (
        (category_4, users["cleared_coordinator"], users["cleared_police"], None),
        (elsewhere, users["other_area_coordinator"], kent_probation, kent_chair),  # the lead agency sends the MAPPA J
    ):
        person = registration.individual
        plan = release_services.release_plan_create(
            actor=coordinator, individual=person, expected_date=today + dt.timedelta(weeks=8)
        )
        plan = release_services.release_plan_change_date(
            actor=coordinator, plan=plan, expected_date=today + dt.timedelta(weeks=9), reason="Parole hearing moved"
        )
        plans.append(plan)
        notifications.append(
            release_services.third_party_notification_record(
                actor=sender, individual=person, release_plan=plan, completes_item="mappa_j", **notification
            )
        )
        item = AgendaItem.objects.filter(registration=registration, minutes__isnull=False).first()
        request = release_services.sharing_request_record(
            actor=coordinator, agenda_item=item, requested_by="A family court (synthetic)", purpose="Care proceedings"
        )
        if chair is not None:
            request = release_services.sharing_request_decide(
                actor=chair, request=request, outcome="agreed_summary", reason="Decisions only"
            )
        sharing.append(request)
        registration = referral_services.registration_change_level(
            actor=coordinator, registration=registration, level=1, effective_date=today, reason="Risk reduced"
        )
        reviews.append(
            level_one_services.level_one_review_record(
                actor=coordinator,
                registration=registration,
                reviewed_on=today,
                risk_changed=False,
                plan_robust=True,
                refer_to_level_2=False,
                notes="Stable in custody.",
            )
        )
    item = AgendaItem.objects.filter(registration=visible, minutes__isnull=False).first()
    request = release_services.sharing_request_record(
        actor=users["coordinator"], agenda_item=item, requested_by="A housing provider", purpose="Allocation"
    )
    sharing.append(
        release_services.sharing_request_decide(actor=users["chair"], request=request, outcome="refused", reason="No")
    )
    for day in (today, today + dt.timedelta(weeks=5)):
        release_reminders_send(today=day)
    return {"release_plans": plans, "notifications": notifications, "sharing_requests": sharing, "reviews": reviews}


REVIEW_REPORT = {
    "background": "Reportcanary-Sorrel: managed at Level 2 after release on licence.",
    "chronology": "Two panels, then the offence.",
    "findings": "A change of address was not shared with housing.",
    "learning_points": "Confirm address checks with every agency at each review.",
}


def _serious_case_reviews(users, *, kent, visible, category_4, elsewhere, north_chair) -> dict[str, list[Any]]:
    """Each case (the control case, the Category 4 person, Kent's person) charged with a serious further offence;
    the board's chair commissions a review of each with a lay adviser, its report is drafted and an SMB member adds
    an action to its plan. The SMB members and lay advisers are told a decision is due; the reviews are written
    without names."""
    today = timezone.localdate()
    kent_chair, kent_lay = factories.smb_chair(area=kent), factories.lay_adviser(area=kent)
    reviews, actions = [], []
    for registration, coordinator, chair, smb, lay in (
        (visible, users["coordinator"], north_chair, users["smb"], users["lay"]),
        (category_4, users["cleared_coordinator"], north_chair, north_chair, users["lay"]),
        (elsewhere, users["other_area_coordinator"], kent_chair, kent_chair, kent_lay),
    ):
        sfo = oversight_services.sfo_record(
            actor=coordinator, registration=registration, offence_date=today, charged_on=today, offence="Arson"
        )
        review = oversight_services.scr_commission(
            actor=chair,
            review=sfo.review,
            criteria_met=["level_2_or_3", "serious_offence"],
            reasons="A serious offence by a case managed at Level 2.",
            remit="Information sharing in the months before the offence.",
            lay_adviser=lay,
        )
        review = oversight_services.scr_report_write(actor=coordinator, review=review, **REVIEW_REPORT)
        actions.append(
            oversight_services.scr_action_add(
                actor=smb,
                review=review,
                description="Audit address checks",
                owning_agency=factories.agency(review.area, AgencyType.POLICE),
                due_date=today,
            )
        )
        reviews.append(review)
    return {"case_reviews": reviews, "review_actions": actions}


# ---------------------------------------------------------------------------------------------
# Reading what a response carries
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pdf_sources(monkeypatch) -> list[str]:
    """The HTML every PDF is made from (a name can break across lines in a PDF's text layer)."""
    import weasyprint

    captured: list[str] = []
    original = weasyprint.HTML

    def capturing(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("string"):
            captured.append(kwargs["string"])
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", capturing)
    return captured


def _text(response: Any, pdf_sources: list[str]) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    parts = [body.decode("utf-8", errors="replace")]
    if response.get("Content-Type", "").startswith("application/pdf"):
        parts += [page.extract_text() or "" for page in PdfReader(BytesIO(body)).pages]
        parts += pdf_sources
    pdf_sources.clear()
    return "\n".join(parts)


def _leaks(role: str, text: str) -> list[str]:
    return [
        f"{which}: {found}"
        for which, canary in CANARIES.items()
        if which not in MAY_SEE[role] and (found := canary.found_in(text))
    ]


class Reader:
    """Reads as one role and collects every leak (``what``, leaks)."""

    def __init__(self, role: str, user: Any, pdf_sources: list[str]):
        self.role = role
        self.pages = factories.verify_client(Client(), user)
        self.api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        self.pdf_sources = pdf_sources
        self.leaks: list[str] = []
        self.seen: dict[str, int] = {CATEGORY_4: 0, OTHER_AREA: 0, "victims' views": 0}
        self.requests = 0

    def read(self, client: Client, url: str, search: dict[str, str] | None = None) -> None:
        cache.clear()  # the API's throttle would otherwise answer 429 and hide the body
        response = client.get(url, search or {})
        self.requests += 1
        assert response.status_code < 500, f"{self.role}: {url} answered {response.status_code}"
        text = _text(response, self.pdf_sources)
        for typed in (search or {}).values():  # the search box shows what the reader typed: not a leak
            text = re.sub(re.escape(typed), "", text, flags=re.IGNORECASE)
        self.check(f"{url} {search or ''}", text)

    def check(self, what: str, text: str) -> None:
        for which, canary in CANARIES.items():
            if canary.found_in(text):
                self.seen[which] += 1
        self.leaks += [f"{self.role} {what}: {leak}" for leak in _leaks(self.role, text)]
        if VICTIM_VIEWS_TEXT.upper() in text.upper():
            self.seen["victims' views"] += 1
            if self.role not in MAY_READ_VICTIM_VIEWS:
                self.leaks.append(f"{self.role} {what}: victims' views")


@pytest.fixture
def readers(world, pdf_sources) -> dict[str, Reader]:
    return {role: Reader(role, user, pdf_sources) for role, user in world["users"].items()}


def _assert_no_leaks(readers: dict[str, Reader]) -> None:
    leaks = [leak for reader in readers.values() for leak in reader.leaks]
    assert not leaks, f"{len(leaks)} leaks:\n  " + "\n  ".join(leaks[:60])


def _assert_allowed_readers_saw_them(readers: dict[str, Reader], surface: str) -> None:
    """The harness is not looking at empty pages: a reader the rule allows does find each canary."""
    for which in CANARIES:
        allowed = [r for r in readers.values() if which in MAY_SEE[r.role]]
        assert any(r.seen[which] for r in allowed), f"no allowed reader saw the {which} canary in {surface}"
    if surface not in ("the admin", "the filtered lists"):  # victims' views: no admin page, in no list
        allowed = [r for r in readers.values() if r.role in MAY_READ_VICTIM_VIEWS]
        assert any(r.seen["victims' views"] for r in allowed), f"no allowed reader saw the victims' views in {surface}"


# ---------------------------------------------------------------------------------------------
# Every route of the URL resolver
# ---------------------------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _uuid_candidates(route: str, world: dict[str, Any]) -> list[Any]:
    """Records whose id may fill a route's ``pk``, by what the route is about (any record's, if unsure)."""
    by_word = {
        "referral": world["referrals"],
        "case": world["individuals"],
        "individual": world["individuals"],
        "meeting": world["meetings"],
        "action": world["actions"],
        "export": world["exports"],
        "audit": world["audits"],
        "transfer": world["transfers"],
        "release_plan": world["release_plans"],
        "notification": world["notifications"],
        "sharing_request": world["sharing_requests"],
        "review_plan_item": world["review_actions"],
        "review": world["case_reviews"],
    }
    for word, records in by_word.items():
        if word in route.split(":")[-1]:
            return [r.pk for r in records]
    return [r.pk for records in by_word.values() for r in records]


def _fill(name: str, pattern: str, world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every way the world fills the route's parameters with a canary's (or control case's) records."""
    params = [m.group("name") for m in PARAMETER.finditer(pattern)]
    if not params:
        yield {}
        return
    meetings = world["meetings"]
    if params == ["pk"]:
        for pk in _uuid_candidates(name, world):
            yield {"pk": pk}
    elif params == ["pk", "item_id"]:
        for item in AgendaItem.objects.filter(meeting__in=meetings):
            yield {"pk": item.meeting_id, "item_id": item.pk}
    elif params == ["pk", "report_id"]:
        for report in AgencyReport.objects.filter(agenda_item__meeting__in=meetings):
            yield {"pk": report.agenda_item.meeting_id, "report_id": report.pk}
    elif params == ["pk", "agency_id"]:
        for invitation in Invitation.objects.filter(meeting__in=meetings):
            yield {"pk": invitation.meeting_id, "agency_id": invitation.agency_id}
    elif params == ["pk", "attendance_id"]:
        for line in Attendance.objects.filter(meeting__in=meetings):
            yield {"pk": line.meeting_id, "attendance_id": line.pk}
    elif params == ["pk", "step"]:
        from web.views.referrals import STEPS

        for referral in world["referrals"]:  # the first and last steps: every step has the same heading
            for step in {STEPS[0], STEPS[-1]}:
                yield {"pk": referral.pk, "step": step.slug}
    elif params == ["pk", "action"]:
        for meeting in meetings:
            yield {"pk": meeting.pk, "action": "held"}
    elif params == ["pk", "item"]:
        for plan in world["release_plans"]:
            for checklist_item in plan.items.all():
                yield {"pk": plan.pk, "item": checklist_item.kind}
    elif params == ["fmt"]:
        from reporting.exports import FORMATS

        for fmt in FORMATS:
            yield {"fmt": fmt}
    elif params == ["indicator"]:
        from oversight.models import Indicator

        for indicator in Indicator.values:  # each figure's records, for the reader's own area
            yield {"indicator": indicator}
    elif params == ["area", "year"]:
        for area in world["areas"]:
            yield {"area": area.slug, "year": timezone.localdate().year - 1}
    else:
        raise AssertionError(f"tests/test_need_to_know.py cannot fill the parameters {params} of {name} ({pattern})")


def _searches(key: str) -> list[dict[str, str]]:
    """Search a list for one canary by name and the other by ViSOR reference (a result shows the rest)."""
    return [{key: CANARIES[CATEGORY_4].family_name}, {key: CANARIES[OTHER_AREA].identifiers[2]}]


# Routes that are slow to answer (a file built per request) and hold no person by construction (aggregate
# statistics, the API's own description): read by one reader of each scope rather than by every role.
SLOW_AND_AGGREGATE = {"web:statistics_download", "api:schema"}
ONE_OF_EACH_SCOPE = {"coordinator", "cleared_coordinator", "administrator", "other_area_coordinator", "smb"}
SKIP_ROUTES = {
    "logout": "signs the reader out",
    "api:<catch-all>": "the API's JSON 404",
}


def test_no_page_or_endpoint_shows_a_canary_to_a_reader_the_rule_keeps_it_from(world, readers):
    routes = {n: p for n, p in named_routes().items() if not n.startswith("admin:") and n not in SKIP_ROUTES}
    in_schema = {f"/{path.strip('/')}/" for path in _schema_paths()}
    for name, pattern in sorted(routes.items()):
        for kwargs in _fill(name, pattern, world):
            url = reverse(name, kwargs=kwargs or None)
            if name.startswith("api:") and re.sub(r"[0-9a-f-]{36}", "{id}", url) in in_schema:
                continue  # read by every role in the schema test below
            for reader in readers.values():
                if name in SLOW_AND_AGGREGATE and reader.role not in ONE_OF_EACH_SCOPE:
                    continue
                client = reader.api if name.startswith("api:") else reader.pages
                reader.read(client, url)
                if not kwargs:  # a list: searched for each canary as well
                    for search in _searches("search" if name.startswith("api:") else "q"):
                        reader.read(client, url, search)
    _assert_no_leaks(readers)
    _assert_allowed_readers_saw_them(readers, "pages and the API")


def test_the_smb_governance_page_shows_its_members_and_lay_advisers_the_board_and_no_person(world, readers):
    """The board's own page is served to SMB members and lay advisers, with the board on it, and names no one
    of any case: not the canaries, not even the case everyone involved may see."""
    for role in ("smb", "lay"):
        reader = readers[role]
        response = reader.pages.get(reverse("web:smb_governance"))
        text = response.content.decode()
        assert response.status_code == 200 and BOARD_CHAIR in text and "Layadviser-Pemberton" in text
        reader.check("web:smb_governance", text)
        assert VISIBLE.found_in(text) == []
    _assert_no_leaks(readers)


def test_filtered_lists_and_the_month_view_show_no_canary_to_a_reader_the_rule_keeps_it_from(world, readers):
    """A filter only narrows what a reader may already see: asking for Category 4, for the canaries' lead or
    owning agencies, or for the months of their panels shows nothing the rule keeps from the reader."""
    from urllib.parse import urlencode

    from referrals.models import RegistrationPeriod

    months = sorted({timezone.localtime(m.starts_at).strftime("%Y-%m") for m in world["meetings"]})
    leads = set(
        RegistrationPeriod.objects.filter(individual__in=world["individuals"]).values_list("lead_agency_id", flat=True)
    )
    owners = {action.owning_agency_id for action in world["actions"]}
    reads = [("web:meeting_month", {"month": month}) for month in months]
    reads += [("web:case_list", {"category": str(category)}) for category in (1, 2, 3, 4)]
    reads += [("web:case_list", {"level": "3"}), ("web:case_list", {"review": "soon"})]
    reads += [("web:case_list", {"lead_agency": str(pk), "sort": "review"}) for pk in sorted(leads)]
    reads += [("web:action_list", {"show": "all", "owning_agency": str(pk)}) for pk in sorted(owners)]
    reads += [("web:meeting_list", {"show": "all", "meeting_type": "level_3"})]
    for reader in readers.values():
        for name, params in reads:  # in the address, not as a search: the page may echo a filter's value
            reader.read(reader.pages, f"{reverse(name)}?{urlencode(params)}")
    _assert_no_leaks(readers)
    _assert_allowed_readers_saw_them(readers, "the filtered lists")


# ---------------------------------------------------------------------------------------------
# Every GET operation of the OpenAPI schema
# ---------------------------------------------------------------------------------------------


def _schema_paths() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(api_version="v1").get_schema(request=None, public=True)["paths"]


def _api_collections(world: dict[str, Any]) -> dict[str, list[Any]]:
    """The world's records by the API collection that serves them."""
    return {
        **{name: world[name] for name in ("referrals", "individuals", "meetings", "actions", "transfers")},
        "release-plans": world["release_plans"],
        "third-party-notifications": world["notifications"],
        "sharing-requests": world["sharing_requests"],
        "level-one-reviews": world["reviews"],
    }


def test_no_api_operation_in_the_schema_shows_a_canary_to_a_reader_the_rule_keeps_it_from(world, readers):
    by_collection = _api_collections(world)
    paths = _schema_paths()
    tried = 0
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        params = re.findall(r"{(\w+)}", path)
        if not params:
            urls = [path]
        elif params == ["id"]:
            collection = path.strip("/").split("/")[2]
            records = by_collection.get(collection)
            assert records is not None, f"tests/test_need_to_know.py: which records fill {path}?"
            urls = [path.replace("{id}", str(r.pk)) for r in records]
        elif params == ["area", "year"]:
            urls = [
                path.replace("{area}", a.slug).replace("{year}", str(timezone.localdate().year - 1))
                for a in world["areas"]
            ]
        else:
            raise AssertionError(f"tests/test_need_to_know.py cannot fill {params} of {path}")
        for url in urls:
            tried += 1
            for reader in readers.values():
                reader.read(reader.api, url)
                if not params:
                    for search in _searches("search"):
                        reader.read(reader.api, url, search)
    assert tried >= 8, paths.keys()
    _assert_no_leaks(readers)
    _assert_allowed_readers_saw_them(readers, "the API")


# ---------------------------------------------------------------------------------------------
# Every admin page
# ---------------------------------------------------------------------------------------------


# The admin is read by one reader of each scope the rule knows (an area, an agency, none, every area, another
# area, cleared), to keep the run short; the change pages of every record of the world by the readers whose
# scope is widest or is the one the admin is most often used with.
ADMIN_READERS = {"coordinator", "police", "smb", "administrator", "other_area_coordinator", "cleared_coordinator"}
CHANGE_PAGE_READERS = {"coordinator", "administrator"}


def test_no_admin_page_shows_a_canary_to_a_reader_the_rule_keeps_it_from(world, readers, reference_rows):
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        rows = [pk for pk in model._default_manager.values_list("pk", flat=True) if pk not in reference_rows[model]]
        for reader in readers.values():
            if reader.role not in ADMIN_READERS:
                continue
            reader.read(reader.pages, changelist)
            if model_admin.search_fields:
                for search in _searches("q"):
                    reader.read(reader.pages, changelist, search)
            reader.read(reader.pages, reverse("admin:{}_{}_add".format(*info)))
            if reader.role in CHANGE_PAGE_READERS:
                for pk in rows:
                    reader.read(reader.pages, reverse("admin:{}_{}_change".format(*info), args=[pk]))
    _assert_no_leaks(readers)
    _assert_allowed_readers_saw_them(readers, "the admin")


def test_every_admin_of_records_about_people_is_scoped():
    from administration.scoping import ScopedAdminMixin, ScopedInlineMixin, person_scope

    unscoped = []
    for model, model_admin in admin.site._registry.items():
        if person_scope(model) is not None and not isinstance(model_admin, ScopedAdminMixin):
            unscoped.append(model._meta.label)
        for inline in model_admin.inlines:
            if person_scope(inline.model) is not None and not issubclass(inline, ScopedInlineMixin):
                unscoped.append(f"{model._meta.label} inline {inline.model._meta.label}")
    assert not unscoped


# ---------------------------------------------------------------------------------------------
# Every message, and every calendar file
# ---------------------------------------------------------------------------------------------


def test_no_message_or_calendar_file_carries_a_canary_its_reader_may_not_see(world):
    roles = {user.pk: role for role, user in world["users"].items()}
    kinds = set()
    leaks = []
    for message in OutboxMessage.objects.all():
        kinds.add(message.kind)
        # An agency inbox is read by people no one has vetted for either canary: it names neither.
        role = roles.get(message.recipient_id)
        may_see = MAY_SEE[role] if role else set()
        for which, canary in CANARIES.items():
            if which not in may_see and (found := canary.found_in(outbox_text(message))):
                leaks.append(f"{message.kind} to {message.recipient_email} ({role or 'an inbox'}): {which} {found}")
        if "Victimcanary" in outbox_text(message):  # no message carries victims' views, whoever reads it
            leaks.append(f"{message.kind} to {message.recipient_email}: victims' views")
    for meeting in Meeting.objects.all():
        ics = meeting_ics(meeting).decode()
        leaks += [f".ics of {meeting}: {which}" for which, c in CANARIES.items() if c.found_in(ics)]
    assert not leaks, "\n".join(leaks)
    # invitations, updates, actions, referral updates, reminders, alerts, digests, reports asked for, minutes out,
    # transfers
    assert len(kinds) >= 10, kinds
    assert "transfer_update" in kinds


def test_smb_members_and_lay_advisers_read_the_reviews_but_never_whom_they_are_about(world, readers):
    """Serious case reviews: the SMB member and the lay adviser open every review page of their area (the register,
    each review, the forms) and read its reference and report, but no page shows a person: not the control case
    they may not see either, nor a canary. The co-ordinator, on the same pages, does see the control case."""
    routes = {n: p for n, p in named_routes().items() if n.startswith(("web:review", "web:case_serious"))}
    assert {"web:review_register", "web:review_detail", "web:case_serious_further_offence"} <= set(routes)
    own_review = world["case_reviews"][0]
    shown: dict[str, str] = {}
    for role in ("smb", "lay", "coordinator"):
        reader = readers[role]
        for name, pattern in sorted(routes.items()):
            for kwargs in _fill(name, pattern, world):
                cache.clear()
                response = reader.pages.get(reverse(name, kwargs=kwargs or None))
                assert response.status_code < 500, f"{role} {name}"
                text = response.content.decode()
                reader.check(name, text)
                if role != "coordinator" and (found := VISIBLE.found_in(text)):
                    reader.leaks.append(f"{role} {name} {kwargs}: the control case {found}")
                if response.status_code == 200:
                    shown[role] = shown.get(role, "") + text
    _assert_no_leaks(readers)
    for role in ("smb", "lay"):
        assert own_review.reference in shown[role] and "Reportcanary-Sorrel" in shown[role], role
    assert VISIBLE.found_in(shown["coordinator"])  # the harness is reading real pages


def test_smb_members_and_lay_advisers_download_the_audit_results_and_no_file_names_a_person(world, readers):
    """The audit results' downloads (CSV, the spreadsheet unpacked, the PDF's text) as the SMB member and the lay
    adviser read them: the averages of the audits of panels that discussed the canaries and the control case,
    with no canary, no control case and no auditor named (the route walk above reads the spreadsheet's zipped
    bytes, in which no name could be found)."""
    import tablib

    year = quarter_of(timezone.localdate() - dt.timedelta(days=1))[0]  # the audits' year (``_audits``)
    auditors = {audit.auditor.get_full_name() for audit in world["audits"]}
    for role in ("smb", "lay"):
        reader = readers[role]
        texts = []
        for fmt in ("csv", "xlsx", "pdf"):
            cache.clear()
            response = reader.pages.get(reverse(f"web:audit_results_{fmt}") + f"?year={year}")
            assert response.status_code == 200, (role, fmt)
            if fmt == "xlsx":
                texts.append(tablib.Dataset().load(response.content, format="xlsx").export("csv"))
            else:
                texts.append(_text(response, reader.pdf_sources))
        text = "\n".join(texts)
        reader.check(f"audit results downloads ({role})", text)
        if found := VISIBLE.found_in(text):
            reader.leaks.append(f"{role} audit results downloads: the control case {found}")
        reader.leaks += [f"{role} audit results downloads: auditor {name}" for name in auditors if name in text]
        # real files, with the two submitted audits' scores (all 3s) in them
        assert "Meeting audit (MAPPA L)" in texts[1] and "All items" in texts[2] and "3.0" in texts[0], role
    _assert_no_leaks(readers)


# ---------------------------------------------------------------------------------------------
# One rule: a page and the API give the same answer for every record
# ---------------------------------------------------------------------------------------------

# Each API collection with a detail endpoint, and the page that shows one of its records. A new collection
# fails the test below until it is added here or to NO_PAGE with the reason.
PAGE_OF = {
    "referrals": "web:referral_detail",
    "individuals": "web:case_detail",
    "meetings": "web:meeting_detail",
    "actions": "web:action_detail",
    "transfers": "web:transfer_detail",
    "release-plans": "web:release_plan",
}
NO_PAGE: dict[str, str] = {
    "third-party-notifications": "shown on the person's case page (web:case_detail), not a page of its own",
    "sharing-requests": "shown on the case page; its only page is the chair's decision form",
    "level-one-reviews": "shown on the case page and the Level 1 register",
}


def test_pages_and_the_api_agree_on_who_sees_every_record(world, readers):
    records = _api_collections(world)
    collections = {
        path.strip("/").split("/")[2]
        for path, operations in _schema_paths().items()
        if "get" in operations and re.fullmatch(r"/api/v1/\w+/{id}/", path)
    }
    assert collections <= set(PAGE_OF) | set(NO_PAGE), "an API detail endpoint with no rule for its page"
    disagreements = []
    for collection, page_name in PAGE_OF.items():
        for record in records[collection]:
            for reader in readers.values():
                cache.clear()
                api = reader.api.get(f"/api/v1/{collection}/{record.pk}/").status_code
                page = reader.pages.get(reverse(page_name, args=[record.pk])).status_code
                if (api == 200) != (page == 200) or {api, page} - {200, 403, 404}:
                    disagreements.append(f"{reader.role} {collection} {record}: API {api}, page {page}")
    assert not disagreements, "\n".join(disagreements)
