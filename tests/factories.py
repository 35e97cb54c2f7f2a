"""One factory per record and per state. Faker en_GB; every identifier is synthetic."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from faker import Faker

from mappa_workflow.models import Agency, AgencyType, Area, Role, RoleAssignment, Seniority, User
from referrals import identifiers, services
from referrals.models import Gender, Individual, Location, Referral, RiskOfSeriousHarm

_faker = Faker("en_GB")


def plain_name(kind: str) -> str:
    """A Faker en_GB name without apostrophes, so tests can look for it in HTML as typed
    (the pages escape O'Brien as O&#x27;Brien, correctly; tests of that use html.escape)."""
    return getattr(_faker, kind)().replace("'", "")


def unmistakable_family_name() -> str:
    """A double-barrelled synthetic surname (``Hall-Patel``) for tests that assert a person is *absent*
    from a page: a single surname such as "Hall" or "May" can occur inside ordinary page text."""
    return f"{plain_name('last_name')}-{plain_name('last_name')}"


def unmistakable_individual(**kwargs) -> Individual:
    return IndividualFactory(family_name=unmistakable_family_name(), **kwargs)


def northamptonshire() -> Area:
    return Area.objects.get(slug="northamptonshire")


def agency(area: Area, agency_type: str) -> Agency:
    return Agency.objects.filter(area=area, agency_type=agency_type).order_by("pk").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(lambda: plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: plain_name("last_name"))
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    area = factory.LazyFunction(northamptonshire)
    agency = factory.LazyAttribute(lambda u: agency(u.area, AgencyType.POLICE))
    seniority = Seniority.PRACTITIONER
    is_synthetic = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                RoleAssignment.objects.create(user=self, role=role)
        if create:
            self.save()


def coordinator(area: Area | None = None, **kwargs) -> User:
    area = area or northamptonshire()
    return UserFactory(area=area, agency=agency(area, AgencyType.PROBATION), roles=[Role.COORDINATOR], **kwargs)


def chair(area: Area | None = None, seniority: int = Seniority.SUPERINTENDENT, **kwargs) -> User:
    area = area or northamptonshire()
    return UserFactory(
        area=area, agency=agency(area, AgencyType.POLICE), roles=[Role.CHAIR], seniority=seniority, **kwargs
    )


def practitioner(agency_type: str = AgencyType.POLICE, area: Area | None = None, **kwargs) -> User:
    area = area or northamptonshire()
    return UserFactory(area=area, agency=agency(area, agency_type), roles=[Role.PRACTITIONER], **kwargs)


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Individual

    area = factory.LazyFunction(northamptonshire)
    given_names = factory.LazyFunction(lambda: plain_name("first_name_male"))
    family_name = factory.LazyFunction(lambda: plain_name("last_name"))
    date_of_birth = factory.Faker("date_of_birth", minimum_age=19, maximum_age=70)
    gender = Gender.MALE
    ethnicity_as_stated = "White British"
    address = factory.Faker("address", locale="en_GB")
    visor_reference = factory.Sequence(identifiers.visor_reference)
    pnc_reference = factory.Sequence(lambda n: identifiers.pnc_reference(2019, n))
    ndelius_reference = factory.Sequence(identifiers.ndelius_reference)


COMPLETE_ANSWERS = {
    "level_requested": 2,
    "category": 2,
    "reason_for_referral": "Escalating threats towards a former partner since release.",
    "risk_of_serious_harm": RiskOfSeriousHarm.HIGH,
    "current_location": Location.COMMUNITY,
    "index_offence": "Wounding with intent (s.18)",
    "index_offence_date": dt.date(2019, 5, 2),
    "sentence": "6 years' imprisonment",
    "sentence_date": dt.date(2019, 11, 20),
    "previous_relevant_offending": "Assault occasioning actual bodily harm (2016).",
    "referring_officer_name": "Synthetic Officer",
}


def draft_referral(*, referrer: User | None = None, individual: Individual | None = None, **answers) -> Referral:
    referrer = referrer or practitioner(AgencyType.PROBATION)
    individual = individual or IndividualFactory(area=referrer.area)
    return services.referral_create(actor=referrer, individual=individual, **{**COMPLETE_ANSWERS, **answers})


def submitted_referral(submitted_on: dt.date | None = None, **kwargs) -> Referral:
    referral = draft_referral(**kwargs)
    return services.referral_submit(actor=referral.referring_officer, referral=referral, submitted_on=submitted_on)


def accepted_referral(level: int = 2, decided_on: dt.date | None = None, **kwargs) -> Referral:
    referral = submitted_referral(submitted_on=decided_on, **kwargs)
    return services.referral_decide(
        actor=coordinator(referral.area),
        referral=referral,
        decision=f"level_{level}",
        rationale="Meets the threshold: high risk of serious harm needing active multi-agency management.",
        decided_on=decided_on or timezone.localdate(),
        why_level_2_cannot_manage="Needs senior resources at short notice." if level == 3 else None,
    )


# ---------------------------------------------------------------------------------------------
# Meetings (threshold meetings, Level 2/3 panels, minutes and actions)
# ---------------------------------------------------------------------------------------------


def registration_at_level(level: int = 2, decided_on: dt.date | None = None, **kwargs):
    """A case accepted at ``level`` (30 days ago by default), so a panel held since can decide on it."""
    decided_on = decided_on or timezone.localdate() - dt.timedelta(days=30)
    return accepted_referral(level=level, decided_on=decided_on, **kwargs).registration


def scheduled_meeting(
    meeting_type: str = "level_2",
    *,
    starts_at: dt.datetime | None = None,
    chair_user: User | None = None,
    registrations=(),
    referrals=None,
    actor: User | None = None,
    allow_past: bool = False,
    **kwargs,
):
    from meetings import services as meeting_services

    area = northamptonshire()
    actor = actor or coordinator(area)
    starts_at = starts_at or timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(10))
    )
    return meeting_services.meeting_schedule(
        actor=actor,
        area=area,
        meeting_type=meeting_type,
        starts_at=starts_at,
        chair=chair_user or chair(area),
        video_link=kwargs.pop("video_link", "https://video.example.invalid/mappa-panel"),
        registrations=registrations,
        referrals=referrals,
        allow_past=allow_past,
        **kwargs,
    )


def held_meeting(meeting_type: str = "level_2", *, days_ago: int = 1, **kwargs):
    """A meeting that took place ``days_ago`` (recorded after the event) and is marked held."""
    from meetings import services as meeting_services

    starts_at = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(10))
    )
    meeting = scheduled_meeting(meeting_type, starts_at=starts_at, allow_past=True, **kwargs)
    return meeting_services.meeting_record_held(actor=meeting.created_by, meeting=meeting)


def full_attendance(meeting, *, senior: bool = True):
    """Police and probation present (senior enough for Level 3), housing's apologies with a report, a lay adviser observing."""
    from meetings import services as meeting_services
    from meetings.models import AttendanceStatus

    area = meeting.area
    rank = Seniority.SENIOR_MANAGER if senior else Seniority.PRACTITIONER
    entries = [
        meeting_services.AttendanceEntry(
            status=AttendanceStatus.PRESENT, agency=agency(area, AgencyType.POLICE), name="DI Sam Synthetic",
            role="MOSOVO detective inspector", seniority=rank, confidentiality_acknowledged=True,
        ),
        meeting_services.AttendanceEntry(
            status=AttendanceStatus.PRESENT, agency=agency(area, AgencyType.PROBATION), name="Alex Example",
            role="Senior probation officer", seniority=rank, confidentiality_acknowledged=True,
        ),
        meeting_services.AttendanceEntry(
            status=AttendanceStatus.APOLOGIES_WITH_REPORT, agency=agency(area, AgencyType.HOUSING),
        ),
        meeting_services.AttendanceEntry(
            status=AttendanceStatus.OBSERVER, name="Pat Lay", role="Lay adviser", confidentiality_acknowledged=True,
        ),
    ]  # fmt: skip
    return meeting_services.meeting_record_attendance(actor=meeting.created_by, meeting=meeting, entries=entries)


def minutes_input(decision: str = "same", **overrides):
    from meetings import services as meeting_services

    values = {
        "risk_summary": "Very high risk to a known adult; risk heightened by alcohol misuse and housing instability.",
        "decision": decision,
        "rationale": "Protective factors not yet in place; multi-agency management still adds value.",
        "plan": meeting_services.RiskManagementPlan(
            supervision="Weekly probation appointments.",
            monitoring_and_control="Curfew 19:00-07:00 with electronic monitoring; exclusion zone.",
            interventions_and_treatment="Referral to the building better relationships programme.",
            victim_safety_planning="Victim liaison officer to update the victim on licence conditions.",
            contingency="Any contact with the victim: police to consider recall with probation the same day.",
        ),
        **overrides,
    }
    return meeting_services.MinutesInput(**values)


# ---------------------------------------------------------------------------------------------
# API: the roles that see statistics only, risk actions, tokens
# ---------------------------------------------------------------------------------------------


def smb_member(area: Area | None = None, **kwargs) -> User:
    area = area or northamptonshire()
    return UserFactory(area=area, agency=agency(area, AgencyType.POLICE), roles=[Role.SMB_MEMBER], **kwargs)


CHAIR_TENURE_STARTS = dt.date(2015, 4, 1)


def smb_chair(
    area: Area | None = None, *, starts_on: dt.date | None = None, ends_on: dt.date | None = None, **kwargs
) -> User:
    """An SMB member account of ``area`` AND the board's chair tenure it holds (from 1 April 2015, open, unless
    given: in force on every date a scenario travels to): the one account that records the SMB's decision on a
    serious case review. The tenure is recorded as appointed by the chair's own account, so that no other account
    (which would be emailed) is created."""
    from oversight.governance.models import BoardRole, BoardTenure

    user = smb_member(area, **kwargs)
    BoardTenure.objects.create(
        area=user.area,
        name=user.get_full_name(),
        role=BoardRole.CHAIR,
        agency=user.agency,
        user=user,
        starts_on=starts_on or CHAIR_TENURE_STARTS,
        ends_on=ends_on,
        appointed_by=user,
    )
    return user


def board_chair(area: Area | None = None) -> User:
    """The account of ``area``'s board chair (:func:`smb_chair`), created the first time a test asks for it: for
    tests that decide several reviews of one area and need the same chair each time."""
    from oversight.governance.models import BoardRole, BoardTenure

    area = area or northamptonshire()
    tenures = BoardTenure.objects.in_tenure_on(timezone.localdate()).filter(
        area=area, role=BoardRole.CHAIR, user__isnull=False
    )
    found = tenures.select_related("user").order_by("starts_on").first()
    return found.user if found is not None and found.user is not None else smb_chair(area)


def lay_adviser(area: Area | None = None, **kwargs) -> User:
    area = area or northamptonshire()
    return UserFactory(area=area, agency=None, roles=[Role.LAY_ADVISER], **kwargs)


def risk_action(owning_agency_type: str = AgencyType.POLICE, *, due_in_days: int = 14, **kwargs):
    """An open action of a Level 2 case's risk management plan, set at a panel held yesterday."""
    from meetings import services as meeting_services
    from meetings.models import PlanHeading

    registration = registration_at_level(2, **kwargs)
    meeting = held_meeting("level_2", registrations=[registration])
    item = meeting.agenda_items.get()
    minutes = meeting_services.case_minutes_record(actor=meeting.created_by, item=item, minutes=minutes_input())
    return meeting_services.risk_action_create(
        actor=meeting.created_by,
        case_minutes=minutes,
        heading=PlanHeading.MONITORING_AND_CONTROL,
        description="Home visit to check the curfew address and the electronic monitoring equipment.",
        owning_agency=agency(meeting.area, owning_agency_type),
        officer_name="PC Jo Synthetic",
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
    )


def api_token(user: User) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


# ---------------------------------------------------------------------------------------------
# Two-factor sign-in (TOTP): every user needs a verified authenticator before any page opens
# ---------------------------------------------------------------------------------------------


def totp_device(user: User):
    """Give ``user`` a confirmed authenticator app (TOTP device), or return the one they have."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mappa_workflow.two_factor import confirmed_device

    return confirmed_device(user) or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(user: User) -> str:
    """The 6-digit code ``user``'s authenticator shows now, one the server has not yet accepted
    (signing in twice within 30 seconds gets the next step's code, which the server also allows)."""
    from mappa_workflow.two_factor import totp_code as code_for

    device = totp_device(user)
    device.refresh_from_db()
    return code_for(device, fresh=True)


def verify_client(client, user: User):
    """Sign ``user`` in to a Django test client with password *and* two-factor done.

    Use instead of ``client.force_login(user)`` for page tests: ``factories.verify_client(client, user)``.
    """
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY

    device = totp_device(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def audit_triggers_bypassed():
    """Deliberately switch off the database's append-only triggers on the audit table, for tests
    that tamper with a row "behind the application's back" (inside the test's own transaction)."""
    import contextlib
    import importlib

    from django.db import connection

    migration = importlib.import_module("mappa_workflow.migrations.0003_audit_append_only")

    @contextlib.contextmanager
    def bypassed():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Replica mode skips ordinary triggers (needs a superuser, as the test database has).
                cursor.execute("SET session_replication_role = replica")
            elif connection.vendor == "sqlite":
                cursor.execute(migration.SQLITE_DROP)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET session_replication_role = DEFAULT")
                elif connection.vendor == "sqlite":
                    cursor.execute(migration.SQLITE_CREATE)

    return bypassed()


def list_audit_queries() -> int:
    """Queries the audit row of a list page costs (``audit_list``): the row, its chain's previous hash,
    the people shown and the actor; PostgreSQL adds the advisory lock that orders the chain."""
    from django.db import connection

    return 4 + (connection.vendor == "postgresql")


# ---------------------------------------------------------------------------------------------
# Between meetings: people in custody (release planning) and Level 1 cases
# ---------------------------------------------------------------------------------------------


def registration_in_custody(*, referrer: User | None = None, children_linked: bool = False, level: int = 2, **kwargs):
    """A case accepted at ``level`` 30 days ago for a person in custody, led by the referring agency."""
    referrer = referrer or practitioner(AgencyType.PROBATION)
    individual = kwargs.pop("individual", None) or IndividualFactory(
        area=referrer.area, children_linked=children_linked
    )
    return registration_at_level(
        level,
        referrer=referrer,
        individual=individual,
        current_location=Location.CUSTODY,
        proposed_release_address="Approved premises, to be confirmed",
        **kwargs,
    )


def level_one_registration(*, referrer: User | None = None, decided_on: dt.date | None = None, **kwargs):
    """A Category 2 case screened as "manage at Level 1" (not adopted), led by the referring agency."""
    return accepted_referral(
        level=1, decided_on=decided_on or timezone.localdate() - dt.timedelta(days=30), referrer=referrer, **kwargs
    ).registration


def registration_opened(
    *,
    category: int = 2,
    level: int = 2,
    location: str = "community",
    area: Area | None = None,
    start: dt.date = dt.date(2023, 4, 3),
    first_meeting_due: dt.date | None = None,
):
    """A registration a co-ordinator opened directly (not through a referral) on ``start``, led by probation."""
    person = IndividualFactory(area=northamptonshire())
    area = area or person.area
    return services.registration_open(
        actor=None,
        individual=person,
        area=area,
        category=category,
        level=level,
        location=location,
        lead_agency=agency(area, AgencyType.PROBATION),
        start_date=start,
        reason="Released on licence",
        first_meeting_due=first_meeting_due,
    )
