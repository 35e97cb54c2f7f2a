"""Every route x every role -> the expected status, built from the URL configuration itself.

``RULES`` declares, for each named route, which roles may use it. The test walks the live URL
resolver (pages and the API), so a route added without a rule here fails
``test_every_route_has_a_rule`` until someone decides who may use it.

Outcomes for a signed-in user (password and two-factor done):
  OK      the request is served: 200/201/204, 400 or 409 (bad input or state, not refusal),
          405 (another method), or a redirect that is not to sign-in or two-factor;
  DENY    403 or 404, and a refused POST writes nothing;
  HIDDEN  DENY, or a 200 list that names none of the test world's people or references;
and anonymous requests are sent to sign in (pages) or refused with 401/403 (API).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from mappa_workflow.models import AgencyType, Area, AuditEvent, Role
from notifications.models import ExportJob, ExportStatus
from oversight.services import quality_audit_start
from tests import factories

pytestmark = pytest.mark.django_db

OK, DENY, HIDDEN = "ok", "deny", "hidden"
ROLES = ("coordinator", "chair", "referrer", "invited", "uninvolved", "smb", "lay", "administrator", "other_area")

# Role groups, as the permissions module defines them.
CASE_MANAGERS = {"coordinator", "chair"}
INVOLVED = {"referrer", "invited"}  # practitioners whose agency referred / was invited about the person
PRACTITIONERS = INVOLVED | {"uninvolved"}
STATISTICS = {"coordinator", "chair", "smb", "lay", "administrator"}
AUDITORS = {"coordinator", "smb", "lay"}
BOARD = {"coordinator", "smb", "lay", "administrator"}  # the SMB's own records (docs/smb.md)


@dataclass(frozen=True)
class Rule:
    ok: set[str]
    hidden: set[str] = field(default_factory=set)  # lists: served, but nothing of the test world in them
    method: str = "get"
    public: bool = False  # anonymous may use it too
    kwargs: str = ""  # which object of the world fills the URL (the ``world`` fixture's "kwargs")
    signs_out: bool = False  # served means a redirect to the sign-in page
    removes: bool = False  # the first allowed user removes the object: later allowed users may get 404

    def expected(self, role: str) -> str:
        if role in self.ok:
            return OK
        return HIDDEN if role in self.hidden else DENY


EVERYONE = set(ROLES)

RULES: dict[str, Rule] = {
    # Project pages
    "home": Rule(EVERYONE),
    "login": Rule(EVERYONE, public=True),
    "logout": Rule(EVERYONE, public=True, method="post", signs_out=True),
    "healthz": Rule(EVERYONE, public=True),
    "two_factor:setup": Rule(EVERYONE),
    "two_factor:verify": Rule(EVERYONE),
    "web:accessibility": Rule(EVERYONE, public=True),
    "web:dashboard": Rule(CASE_MANAGERS, hidden={"other_area"}),
    # Referrals
    "web:referral_list": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "web:referral_find": Rule({"coordinator", "other_area"} | PRACTITIONERS),
    "web:referral_start": Rule({"coordinator", "other_area"} | PRACTITIONERS),
    "web:referral_detail": Rule(CASE_MANAGERS | {"referrer"}, kwargs="referral"),
    "web:referral_step": Rule({"coordinator", "referrer"}, kwargs="draft_step"),
    "web:referral_check": Rule({"coordinator", "referrer"}, kwargs="draft"),
    "web:referral_sent": Rule({"coordinator", "referrer"}, kwargs="draft"),
    "web:referral_discard": Rule({"coordinator", "referrer"}, kwargs="draft"),  # GET: the confirmation page
    "web:referral_screen": Rule(CASE_MANAGERS, kwargs="submitted"),
    # Cases
    "web:case_list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "web:case_detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="individual"),
    "web:case_change_level": Rule(CASE_MANAGERS, kwargs="individual"),
    "web:case_officer": Rule(CASE_MANAGERS, kwargs="individual"),
    "web:case_record_event": Rule(CASE_MANAGERS | INVOLVED, kwargs="individual"),
    # Victims' views: the page opens to whoever sees the case; what it shows is narrower (victims.rules)
    "web:case_victim_views": Rule(CASE_MANAGERS | INVOLVED, kwargs="individual"),
    # Transfers: the world's case is asked for by the other area ("other_area" is its receiving co-ordinator)
    "web:case_transfer": Rule({"coordinator"}, kwargs="individual"),
    "web:transfer_list": Rule(CASE_MANAGERS | {"other_area"}),
    "web:transfer_detail": Rule(CASE_MANAGERS | {"other_area"}, kwargs="transfer"),
    "web:transfer_accept": Rule({"other_area"}, kwargs="transfer"),
    "web:transfer_decline": Rule({"other_area"}, kwargs="transfer"),
    "web:transfer_withdraw": Rule({"coordinator"}, kwargs="transfer"),
    "web:transfer_complete": Rule({"coordinator"}, kwargs="transfer"),
    # Between meetings (docs/between-meetings.md): plans and Level 1 reviews by the case managers and the lead
    # agency (the referrer); notifications by anyone who sees the person; sharing minutes decided by a chair
    "web:release_list": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "web:case_release_plan_start": Rule(CASE_MANAGERS | {"referrer"}, kwargs="custody_individual"),
    "web:release_plan": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_plan"),
    "web:release_plan_date": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_plan"),
    "web:release_plan_level": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_plan"),
    "web:release_plan_close": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_plan"),
    "web:release_plan_item": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_item"),
    "web:case_notification_add": Rule(CASE_MANAGERS | INVOLVED, kwargs="individual"),
    "web:notification_acknowledge": Rule(CASE_MANAGERS | {"referrer"}, kwargs="notification"),
    "web:meeting_case_sharing_request_add": Rule(CASE_MANAGERS | INVOLVED, kwargs="item"),
    "web:sharing_request_decide": Rule({"chair"}, kwargs="sharing"),
    "web:level_one_register": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "web:case_level_one_review": Rule(CASE_MANAGERS | {"referrer"}, kwargs="level_one_individual"),
    "api:release-plan-list": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "api:release-plan-detail": Rule(CASE_MANAGERS | {"referrer"}, kwargs="release_plan"),
    "api:release-plan-change-date": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="release_plan"),
    "api:release-plan-decide-level": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="release_plan"),
    "api:release-plan-complete-item": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="release_plan"),
    "api:release-plan-close": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="release_plan"),
    "api:third-party-notification-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:third-party-notification-detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="notification"),
    "api:third-party-notification-acknowledge": Rule(
        CASE_MANAGERS | {"referrer"}, method="post", kwargs="notification"
    ),
    "api:sharing-request-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:sharing-request-detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="sharing"),
    "api:sharing-request-decide": Rule({"chair"}, method="post", kwargs="sharing"),
    "api:level-one-review-list": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "api:level-one-review-detail": Rule(CASE_MANAGERS | {"referrer"}, kwargs="level_one_review"),
    # Meetings (run by co-ordinators and chairs; another area's co-ordinator runs their own)
    # practitioners are sent to "My meetings": their agency's invitations
    "web:meeting_list": Rule(CASE_MANAGERS | PRACTITIONERS, hidden={"other_area"}),
    "web:my_meetings": Rule(CASE_MANAGERS | PRACTITIONERS | {"other_area"}),
    "web:meeting_month": Rule(CASE_MANAGERS, hidden={"other_area"}),
    "web:meeting_schedule": Rule(CASE_MANAGERS | {"other_area"}),
    "web:meeting_schedule_cases": Rule(CASE_MANAGERS | {"other_area"}),
    "web:meeting_schedule_check": Rule(CASE_MANAGERS | {"other_area"}),
    "web:meeting_detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="meeting"),  # read-only for the invited, as the API
    "web:meeting_attendance": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_minutes_pdf": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_case_minutes": Rule(CASE_MANAGERS, kwargs="item"),
    "web:meeting_case_action_add": Rule(CASE_MANAGERS, kwargs="item"),
    "web:meeting_case_amend": Rule(CASE_MANAGERS, kwargs="item"),
    "web:meeting_case_disclosure_add": Rule(CASE_MANAGERS, kwargs="item"),
    "web:meeting_agenda_remove": Rule(CASE_MANAGERS, method="post", kwargs="item"),
    "web:meeting_invite": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_attendance_add": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_attendance_remove": Rule(CASE_MANAGERS, method="post", kwargs="attendance", removes=True),
    "web:meeting_transition": Rule(CASE_MANAGERS, method="post", kwargs="meeting_action"),
    # A scheduled meeting's life (the world's meeting is held: the pages say it can no longer change)
    "web:meeting_add_cases": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_reschedule": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_cancel": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_arrangements": Rule(CASE_MANAGERS, kwargs="meeting"),
    "web:meeting_chase_reports": Rule(CASE_MANAGERS, method="post", kwargs="chase"),
    # Agenda and papers: everyone invited; a written report only by its agency and the meeting's runners
    "web:meeting_agenda": Rule(CASE_MANAGERS | INVOLVED, kwargs="meeting"),
    "web:meeting_agenda_pdf": Rule(CASE_MANAGERS | INVOLVED, kwargs="meeting"),
    "web:meeting_agency_report": Rule(CASE_MANAGERS | INVOLVED, kwargs="item"),  # each for their own agency
    "web:meeting_report_detail": Rule(CASE_MANAGERS | {"referrer"}, kwargs="report"),
    "web:meeting_report_attachment": Rule(CASE_MANAGERS | {"referrer"}, kwargs="report"),
    "web:meeting_confirm_attendance": Rule(CASE_MANAGERS | INVOLVED, kwargs="meeting"),  # for their own agency
    # Read-only minutes: the draft for the meeting's runners; once approved, everyone who may see the case
    "web:meeting_case_minutes_read": Rule(CASE_MANAGERS, kwargs="item"),
    # Actions
    "web:action_list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "web:action_detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="action"),
    # Statistics: aggregates only, each reader their own area
    "web:statistics": Rule(STATISTICS | {"other_area"}),
    "web:statistics_download": Rule(STATISTICS | {"other_area"}, kwargs="download"),
    # Background downloads: each reader lists and asks for their own; only the requester downloads one
    "web:statistics_exports": Rule(STATISTICS | {"other_area"}),
    "web:statistics_export_download": Rule({"coordinator"}, kwargs="export"),
    # Performance indicators (oversight): aggregates only, each reader their own area
    "web:indicators": Rule(STATISTICS | {"other_area"}),
    "web:indicators_csv": Rule(STATISTICS | {"other_area"}),
    "web:indicators_xlsx": Rule(STATISTICS | {"other_area"}),
    "web:indicators_pdf": Rule(STATISTICS | {"other_area"}),
    # each case manager reads their own area's records: another area's co-ordinator gets theirs
    "web:indicator_records": Rule(CASE_MANAGERS | {"other_area"}, kwargs="indicator"),
    # Audits (docs/audits.md): co-ordinators, SMB members and lay advisers audit meetings; only co-ordinators
    # audit cases; an audit is read by its auditor and the area's co-ordinators; the results are aggregates
    "web:audits": Rule(AUDITORS | {"other_area"}),
    "web:audit_results": Rule(STATISTICS | {"other_area"}),
    "web:audit_results_csv": Rule(STATISTICS | {"other_area"}),
    "web:audit_results_xlsx": Rule(STATISTICS | {"other_area"}),
    "web:audit_results_pdf": Rule(STATISTICS | {"other_area"}),
    "web:meeting_audit_start": Rule(AUDITORS, method="post", kwargs="meeting"),
    "web:case_audit_start": Rule({"coordinator"}, method="post", kwargs="registration"),
    "web:audit_detail": Rule({"coordinator"}, kwargs="audit"),
    # SMB governance (docs/smb.md): the board reads its meetings and members; co-ordinators and administrators
    # of the area keep them (the forms are on the same page); each area's own board only
    "web:smb_governance": Rule(BOARD | {"other_area"}),
    # Serious further offences and serious case reviews (docs/serious-case-reviews.md): a co-ordinator records the
    # SFO from the case; the board's chair decides (the world's SMB member holds the chair's tenure; an SMB member
    # who does not is refused: oversight/tests/test_review_chair.py); the SMB approves and closes; SMB members and
    # co-ordinators write the report and keep the plan; lay advisers and chairs read (the SMB and lay advisers
    # without the person)
    "web:case_serious_further_offence": Rule({"coordinator"}, kwargs="individual"),
    "web:review_register": Rule(CASE_MANAGERS | {"smb", "lay", "other_area"}),
    "web:review_detail": Rule(CASE_MANAGERS | {"smb", "lay"}, kwargs="review"),
    "web:review_decide": Rule({"smb"}, kwargs="review"),
    "web:review_report": Rule({"coordinator", "smb"}, kwargs="review"),
    "web:review_approve": Rule({"smb"}, method="post", kwargs="review"),
    "web:review_close": Rule({"smb"}, method="post", kwargs="review"),
    "web:review_plan_add": Rule({"coordinator", "smb"}, kwargs="review"),
    "web:review_plan_item_complete": Rule({"coordinator", "smb"}, method="post", kwargs="review_action"),
    # API
    "api:referral-list": Rule(CASE_MANAGERS | {"referrer"}, hidden={"invited", "uninvolved", "other_area"}),
    "api:referral-detail": Rule(CASE_MANAGERS | {"referrer"}, kwargs="referral"),
    "api:referral-submit": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="draft"),
    "api:referral-resubmit": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="draft"),
    "api:referral-withdraw": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="draft"),
    "api:referral-decide": Rule(CASE_MANAGERS, method="post", kwargs="submitted"),
    "api:referral-request-more-information": Rule(CASE_MANAGERS, method="post", kwargs="submitted"),
    "api:individual-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:individual-detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="individual"),
    "api:meeting-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:meeting-detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="meeting"),
    "api:meeting-attendance": Rule(CASE_MANAGERS, method="put", kwargs="meeting"),
    "api:meeting-reschedule": Rule(CASE_MANAGERS, method="post", kwargs="meeting"),
    "api:meeting-cancel": Rule(CASE_MANAGERS, method="post", kwargs="meeting"),
    "api:action-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:action-detail": Rule(CASE_MANAGERS | INVOLVED, kwargs="action"),
    "api:action-start": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="action"),
    "api:action-complete": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="action"),
    "api:action-updates": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="action"),
    "api:action-close": Rule(CASE_MANAGERS | {"referrer"}, method="post", kwargs="action"),
    "api:agency-list": Rule(EVERYONE),
    "api:transfer-list": Rule(CASE_MANAGERS | {"other_area"}, hidden=PRACTITIONERS),
    "api:transfer-detail": Rule(CASE_MANAGERS | {"other_area"}, kwargs="transfer"),
    "api:transfer-accept": Rule({"other_area"}, method="post", kwargs="transfer"),
    "api:transfer-decline": Rule({"other_area"}, method="post", kwargs="transfer"),
    "api:transfer-withdraw": Rule({"coordinator"}, method="post", kwargs="transfer"),
    "api:transfer-complete": Rule({"coordinator"}, method="post", kwargs="transfer"),
    "api:victim-view-list": Rule(CASE_MANAGERS | INVOLVED, hidden={"uninvolved", "other_area"}),
    "api:statistics-annual": Rule(STATISTICS, kwargs="statistics"),
    "api:indicators-annual": Rule(STATISTICS, kwargs="statistics"),
    "api:audit-results-annual": Rule(STATISTICS, kwargs="statistics"),
    "api:schema": Rule(EVERYONE, public=True),  # endpoint descriptions only, no records (docs/security.md)
    "api:docs": Rule(EVERYONE, public=True),  # the Swagger UI shell: the schema it loads needs sign-in
}
# Cells where a page or endpoint is stricter or looser than the rule above, each with who must act.
# A looser cell is a leak: never add one here, fix the view. Remove a line when the view is fixed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}
# Routes the matrix does not drive, and why.
NOT_IN_MATRIX = {
    "admin:": "Django admin: staff only (test_the_admin_is_for_staff_only)",
    "api:<catch-all>": "the API's JSON 404 for unknown addresses",
}


def named_routes() -> dict[str, str]:
    """Every route of the URL configuration: name (with namespace) -> pattern."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or "<catch-all>"
                found[f"{namespace}:{name}" if namespace else name] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def _covered(name: str) -> bool:
    return (
        name in RULES
        or name in NOT_IN_MATRIX
        or any(name.startswith(prefix) for prefix in NOT_IN_MATRIX if prefix.endswith(":"))
    )


def test_every_route_has_a_rule():
    missing = sorted(name for name in named_routes() if not _covered(name))
    assert not missing, f"Routes with no access rule in tests/test_access_matrix.py RULES: {missing}"


def test_every_rule_names_a_route_that_exists():
    stale = sorted(set(RULES) - set(named_routes()))
    assert not stale, f"RULES for routes that no longer exist: {stale}"


# ---------------------------------------------------------------------------------------------
# The world: one Level 2 case referred by probation, a panel about it that police were invited
# to, minutes with an action probation owns, a draft and a submitted referral by probation.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def world():
    cache.clear()  # the API's per-user throttle counts
    area = factories.northamptonshire()
    referrer = factories.practitioner(AgencyType.PROBATION)
    action = factories.risk_action(owning_agency_type=AgencyType.PROBATION, referrer=referrer)
    registration = action.registration
    item = action.case_minutes.agenda_item
    meeting = item.meeting
    factories.full_attendance(meeting)
    draft = factories.draft_referral(referrer=referrer)
    submitted = factories.submitted_referral(referrer=referrer)
    other = Area.objects.exclude(pk=area.pk).filter(agencies__agency_type=AgencyType.PROBATION).first()
    users = {
        "coordinator": factories.coordinator(),
        "chair": factories.chair(),
        "referrer": referrer,
        "invited": factories.practitioner(AgencyType.POLICE),
        "uninvolved": factories.practitioner(AgencyType.DWP),
        "smb": factories.smb_chair(),  # the board's chair: an SMB member who also decides on reviews
        "lay": factories.UserFactory(roles=[Role.LAY_ADVISER]),
        "administrator": factories.UserFactory(roles=[Role.ADMINISTRATOR]),
        "other_area": factories.coordinator(area=other),
    }
    assert meeting.invitations.filter(agency=users["invited"].agency).exists()
    export = ExportJob(
        requested_by=users["coordinator"], area=area, year=2024, export_format="csv", status=ExportStatus.DONE
    )
    export.file.save("mappa-statistics-2024-25.csv", ContentFile(b"Level 2,1\n"), save=False)
    export.save()
    from transfers import services as transfer_services

    transfer = transfer_services.transfer_request(
        actor=users["coordinator"],
        registration=registration,
        receiving_area=other,
        reason="Moving to live with family.",
        proposed_date=timezone.localdate(),
    )
    between = _between_meetings(referrer, item, registration)
    people = [
        registration.individual,
        draft.individual,
        submitted.individual,
        between["plan"].individual,
        between["review"].individual,
    ]
    # Surnames that cannot appear on a page by chance (Faker's "Clark" could be the signed-in user's own name).
    for n, person in enumerate(people):
        type(person).objects.filter(pk=person.pk).update(family_name=f"Leakcheck{'QXZVW'[n]}{person.pk.hex[:8]}")
        person.refresh_from_db()
    from meetings.models import AgencyReport

    report = AgencyReport(
        agenda_item=item, agency=referrer.agency, current_risk="High.", changes="None.", contribution="Visits."
    )
    report.attachment.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.save()
    secrets = {p.family_name for p in people} | {str(p.pk) for p in people}
    secrets |= {r.reference for r in (draft, submitted, *registration.individual.referrals.all())}
    review = _serious_case_review(users, registration)
    kwargs = {
        "": {},
        "referral": {"pk": registration.individual.referrals.get().pk},
        "draft": {"pk": draft.pk},
        "draft_step": {"pk": draft.pk, "step": "person"},
        "submitted": {"pk": submitted.pk},
        "individual": {"pk": registration.individual_id},
        "meeting": {"pk": meeting.pk},
        "meeting_action": {"pk": meeting.pk, "action": "held"},
        "item": {"pk": meeting.pk, "item_id": item.pk},
        "attendance": {"pk": meeting.pk, "attendance_id": meeting.attendance.order_by("pk").last().pk},
        "action": {"pk": action.pk},
        "download": {"fmt": "csv"},
        "statistics": {"area": area.slug, "year": 2024},
        "indicator": {"indicator": "screening"},
        "export": {"pk": export.pk},
        "registration": {"pk": registration.pk},
        "audit": {"pk": quality_audit_start(actor=users["coordinator"], meeting=meeting).pk},
        "transfer": {"pk": transfer.pk},
        "custody_individual": {"pk": between["plan"].individual_id},
        "release_plan": {"pk": between["plan"].pk},
        "release_item": {"pk": between["plan"].pk, "item": "licence_conditions"},
        "notification": {"pk": between["notification"].pk},
        "sharing": {"pk": between["sharing"].pk},
        "level_one_individual": {"pk": between["review"].individual_id},
        "level_one_review": {"pk": between["review"].pk},
        "chase": {"pk": meeting.pk, "agency_id": users["invited"].agency_id},
        "report": {"pk": meeting.pk, "report_id": report.pk},
        "review": {"pk": review.pk},
        "review_action": {"pk": review.actions.get().pk},
    }
    return {"users": users, "kwargs": kwargs, "secrets": secrets}


def _between_meetings(referrer, item, registration) -> dict:
    """A release plan for another of the referrer's cases (in custody), a notification and a request to share
    the minutes about the world's case, and a Level 1 case of the referrer's with a review."""
    import datetime as dt

    from django.utils import timezone

    from level_one.services import level_one_review_record
    from release_planning import services

    today = timezone.localdate()
    custody = factories.registration_in_custody(referrer=referrer)
    plan = services.release_plan_create(
        actor=referrer, individual=custody.individual, expected_date=today + dt.timedelta(weeks=8)
    )
    notification = services.third_party_notification_record(
        actor=referrer,
        individual=registration.individual,
        recipient_type="housing",
        recipient="Housing options (synthetic)",
        what_was_shared="The restriction on the address",
        why_necessary="Children live next door",
        lawful_basis="Duty to co-operate",
        why_proportionate="Only the restriction",
        recipient_undertaking="Not passed on",
        individual_told=True,
        sent_on=today,
    )
    sharing = services.sharing_request_record(
        actor=factories.coordinator(), agenda_item=item, requested_by="A family court", purpose="Care proceedings"
    )
    level_one = factories.level_one_registration(referrer=referrer)
    review = level_one_review_record(
        actor=referrer,
        registration=level_one,
        reviewed_on=today,
        risk_changed=False,
        plan_robust=True,
        refer_to_level_2=False,
        notes="Stable.",
    )
    return {"plan": plan, "notification": notification, "sharing": sharing, "review": review}


def _serious_case_review(users, registration):
    """The world's case charged with a serious further offence; the SMB commissioned a review with an action."""
    from oversight import services

    today = timezone.localdate()
    sfo = services.sfo_record(
        actor=users["coordinator"], registration=registration, offence_date=today, charged_on=today, offence="Arson"
    )
    review = services.scr_commission(
        actor=users["smb"],
        review=sfo.review,
        criteria_met=["level_2_or_3"],
        reasons="",
        remit="Information sharing.",
        lay_adviser=users["lay"],
    )
    services.scr_action_add(
        actor=users["smb"],
        review=review,
        description="Audit address checks",
        owning_agency=users["invited"].agency,
        due_date=today,
    )
    return review


def _url(name: str, kwargs: dict) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


def _client(user, api: bool) -> Client:
    client = Client()
    if user is None:
        return client
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
        return client
    return factories.verify_client(client, user)


def _send(client: Client, method: str, url: str, api: bool, data: dict | None = None):
    """The API reads JSON only (a form body is a 415 before any rule is asked), so its writes send JSON."""
    if api and method in ("post", "put", "patch"):
        return getattr(client, method)(url, data or {}, content_type="application/json")
    return getattr(client, method)(url) if data is None else getattr(client, method)(url, data)


def _is_ok(response, rule: Rule) -> bool:
    if response.status_code in (200, 201, 204, 400, 405, 409):
        return True
    if response.status_code == 302:
        if rule.signs_out:
            return "/sign-in/" in response.url
        return not any(part in response.url for part in ("/sign-in/", "/two-factor/", "/admin/login/"))
    return False


def _leaks(response, secrets: set[str]) -> list[str]:
    body = response.content.decode(errors="replace")
    return sorted(s for s in secrets if s and s in body)


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_role_gets_what_the_rule_says(name, world):
    rule = RULES[name]
    api = name.startswith("api:")
    url = _url(name, world["kwargs"][rule.kwargs])
    failures: list[tuple[str, str]] = []

    anonymous = getattr(_client(None, api), rule.method)(url)
    if rule.public:
        if not _is_ok(anonymous, rule):
            failures.append(("anonymous", f"{anonymous.status_code}, expected it served"))
    elif api:
        if anonymous.status_code not in (401, 403):
            failures.append(("anonymous", f"{anonymous.status_code}, expected 401/403"))
    elif not (anonymous.status_code == 302 and "/sign-in/" in anonymous.url):
        failures.append(("anonymous", f"{anonymous.status_code}, expected a redirect to sign in"))

    for role in ROLES:
        expected = rule.expected(role)
        client = _client(world["users"][role], api)
        rows_before = AuditEvent.objects.exclude(action__in=["view", "sign_in", "export"]).count()
        response = _send(client, rule.method, url, api)
        status = response.status_code
        removed = rule.removes and status == 404 and role != next(r for r in ROLES if r in rule.ok)
        if expected == OK and not _is_ok(response, rule) and not removed:
            failures.append((role, f"{status}, expected it served"))
        elif expected == DENY and status not in (403, 404):
            failures.append((role, f"{status}, expected 403/404"))
        elif expected == HIDDEN:
            if status == 200 and _leaks(response, world["secrets"]):
                failures.append((role, f"the list shows {_leaks(response, world['secrets'])}"))
            elif status not in (200, 403, 404):
                failures.append((role, f"{status}, expected an empty list or 403/404"))
        if expected != OK:
            # A refused request changes nothing, whichever method it used. (A list's POST is "create",
            # which a role may be refused with 400 for bad input: the write check still applies.)
            refused = _send(client, "put" if rule.method == "put" else "post", url, api, {})
            allowed_codes = (200, 400, 403, 404, 405) if expected == HIDDEN else (403, 404, 405)
            if refused.status_code not in allowed_codes:
                failures.append((role, f"POST got {refused.status_code}, expected {allowed_codes}"))
            elif refused.status_code == 200 and _leaks(refused, world["secrets"]):
                failures.append((role, f"POST shows {_leaks(refused, world['secrets'])}"))
            changes = AuditEvent.objects.exclude(action__in=["view", "sign_in", "export"]).count() - rows_before
            if changes:
                failures.append((role, f"a refused request wrote {changes} audit rows"))
    unexpected = [(role, why) for role, why in failures if (name, role) not in KNOWN_GAPS]
    assert not unexpected, f"{name} ({url}):\n  " + "\n  ".join(f"{role}: {why}" for role, why in unexpected)
    if failures:
        pytest.xfail("; ".join(KNOWN_GAPS[(name, role)] for role, _ in failures))


def test_the_admin_is_for_staff_only(client):
    factories.verify_client(client, factories.coordinator())
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
