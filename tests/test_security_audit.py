"""The audit trail: every view of a person, referral or minutes is recorded (who, when, what, from where);
the co-ordinator can see who viewed a case; the table is append-only in the database; and a row altered
behind the application's back is caught by verify_audit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.views.generic import DetailView

from conftest import skip_or_fail
from mappa_workflow.audit import (
    AuditedViewMixin,
    audit_export,
    audit_record,
    audit_view,
    case_viewer_summary,
    case_viewers,
)
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent, Role
from need_to_know import permissions
from tests import factories

pytestmark = pytest.mark.django_db


def request_from(user, address="192.0.2.10", path="/cases/x/"):
    request = RequestFactory().get(path, REMOTE_ADDR=address)
    request.user = user
    return request


def test_viewing_a_person_leaves_a_row_saying_who_when_what_and_from_where():
    referral = factories.accepted_referral()
    coordinator = factories.coordinator()
    (row,) = audit_view(request_from(coordinator), referral.individual, what="case page")
    assert (row.actor, row.action, row.ip_address) == (coordinator, AuditAction.VIEW, "192.0.2.10")
    assert (row.object_type, row.object_id) == ("referrals.Individual", str(referral.individual.pk))
    assert row.area_id == referral.area_id and row.occurred_at is not None
    assert row.details == {"what": "case page", "path": "/cases/x/", "individual_id": str(referral.individual.pk)}


def test_a_class_based_view_with_the_mixin_audits_the_object_it_shows():
    referral = factories.draft_referral()
    coordinator = factories.coordinator()

    class ReferralPage(AuditedViewMixin, DetailView):
        template_name = "404.html"
        audit_what = "referral page"

        def get_queryset(self):
            return permissions.visible_referrals(self.request.user)

    ReferralPage.as_view()(request_from(coordinator), pk=referral.pk)
    row = AuditEvent.objects.filter(action=AuditAction.VIEW).get()
    assert (row.object_type, row.object_id, row.details["what"]) == (
        "referrals.Referral",
        str(referral.pk),
        "referral page",
    )


def test_the_coordinator_sees_who_viewed_a_case_including_its_referrals_and_minutes():
    registration = factories.registration_at_level(2)
    person = registration.individual
    meeting = factories.scheduled_meeting(registrations=[registration])
    housing, chair = factories.practitioner(AgencyType.HOUSING), factories.chair()
    audit_view(request_from(housing, "192.0.2.20"), meeting.agenda_items.get(), what="minutes")
    audit_view(request_from(chair), person.referrals.get())
    audit_view(request_from(chair), person)
    audit_view(request_from(chair), meeting)  # the whole meeting: one row per person on its agenda
    audit_view(request_from(chair), factories.IndividualFactory())  # someone else: not this case

    viewers = list(case_viewers(person))
    assert [v.actor for v in viewers] == [chair, chair, chair, housing]
    assert viewers[-1].ip_address == "192.0.2.20"
    summary = {line["actor_label"]: line["views"] for line in case_viewer_summary(person)}
    assert summary == {str(chair): 3, str(housing): 1}
    assert permissions.has_perm(factories.coordinator(), "mappa_workflow.view_case_viewers", person)
    assert not permissions.has_perm(housing, "mappa_workflow.view_case_viewers", person)


def test_an_administrator_looking_outside_their_area_is_flagged_in_the_trail():
    person = factories.accepted_referral().individual
    elsewhere = Area.objects.exclude(pk=person.area_id).first()
    admin = factories.UserFactory(area=elsewhere, agency=None, roles=[Role.ADMINISTRATOR])
    (row,) = audit_view(admin, person)
    assert row.details["cross_area"] is True and row.ip_address is None


def test_an_export_is_recorded():
    user = factories.UserFactory(roles=[Role.SMB_MEMBER])
    row = audit_export(request_from(user, path="/statistics/download/"), what="statistics 2024 xlsx")
    assert (row.action, row.object_type, row.object_id, row.area_id) == (
        AuditAction.EXPORT,
        "export",
        "statistics 2024 xlsx",
        user.area_id,
    )


def test_an_audit_row_cannot_be_changed_through_the_database():
    audit_record(actor=None, action=AuditAction.CREATE, object_type="test", object_id="1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(reason="rewritten")
    assert AuditEvent.objects.get().reason == ""


@pytest.mark.postgres
def test_on_postgresql_an_audit_row_can_be_neither_changed_nor_deleted():
    if connection.vendor != "postgresql":
        skip_or_fail("the append-only trigger on DELETE is PostgreSQL's: set DATABASE_URL=postgres://...")
    row = audit_record(actor=None, action=AuditAction.CREATE, object_type="test", object_id="1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM mappa_workflow_auditevent")
    assert AuditEvent.objects.filter(pk=row.pk, reason="").exists()


def test_verify_audit_passes_an_intact_trail():
    factories.accepted_referral()
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "Audit trail intact" in out.getvalue()


def test_verify_audit_names_the_first_row_altered_behind_the_applications_back_and_exits_non_zero():
    factories.accepted_referral()
    rows = list(AuditEvent.objects.order_by("id"))
    victim = rows[2]
    with factories.audit_triggers_bypassed():
        AuditEvent.objects.filter(pk=victim.pk).update(reason="nothing happened here")
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    assert f"row {victim.pk}" in str(caught.value) and "altered" in str(caught.value)
    assert "2 rows before it are intact" in str(caught.value)


def test_verify_audit_catches_a_row_removed_from_the_middle():
    factories.accepted_referral()
    rows = list(AuditEvent.objects.order_by("id"))
    with factories.audit_triggers_bypassed():
        AuditEvent.objects.filter(pk=rows[1].pk).delete()
    with pytest.raises(CommandError, match=f"row {rows[2].pk}.*removed or inserted"):
        call_command("verify_audit")


def test_services_record_creates_and_transitions_so_the_whole_journey_is_in_the_trail():
    referral = factories.accepted_referral()
    actions = list(
        AuditEvent.objects.filter(object_type="referrals.Referral", object_id=str(referral.pk)).values_list(
            "action", "transition"
        )
    )
    assert actions == [("create", ""), ("transition", "submit"), ("transition", "accept_at_level_2")]
    export = audit_export(referral.referring_officer, what="referral summary")
    assert AuditEvent.objects.order_by("-id").first() == export


# ---------------------------------------------------------------------------------------------
# Lists and searches that show people (issue 13): who searched for what, and how many were shown
# ---------------------------------------------------------------------------------------------


def _list_rows():
    return AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="list")


@pytest.mark.parametrize(
    ("route", "api", "query"),
    [
        ("web:case_list", False, "q"),
        ("web:referral_list", False, "q"),
        ("web:action_list", False, "q"),
        ("web:referral_find", False, "q"),
        ("api:individual-list", True, "search"),
        ("api:referral-list", True, "individual"),  # these API lists filter by person; no free-text search
        ("api:action-list", True, "individual"),
    ],
)
def test_a_list_or_search_of_people_records_who_searched_for_what_and_who_was_shown(client, route, api, query):
    from django.core.cache import cache
    from django.urls import reverse

    cache.clear()
    action = factories.risk_action()
    person = action.registration.individual
    coordinator = factories.coordinator() if not route.endswith("find") else factories.practitioner()
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {factories.api_token(coordinator)}"
    else:
        factories.verify_client(client, coordinator)
    if route == "web:referral_find":
        coordinator = factories.practitioner(AgencyType.PROBATION)
        factories.verify_client(client, coordinator)
        person = action.registration.individual.referrals.get().individual
    asked = str(person.pk) if query == "individual" else person.family_name
    response = client.get(reverse(route), {query: asked})
    assert response.status_code == 200
    row = _list_rows().get()
    assert row.actor == coordinator
    assert row.details["search"][query] == asked
    assert row.details["people_shown"] == len(row.details["individual_ids"])
    if route != "web:referral_find":
        assert row.details["individual_ids"] == [str(person.pk)]
