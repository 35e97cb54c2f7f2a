"""Being staff is not a permission to see a case: the admin shows what the rules allow and audits it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mappa_workflow.models import Area, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def staff(user):
    user.is_staff = True
    user.is_superuser = True  # every model permission; the rules still decide which records
    user.save()
    return user


def test_a_staff_coordinator_of_another_area_sees_none_of_this_areas_cases_in_the_admin(client):
    referral = factories.submitted_referral()
    kent = staff(factories.coordinator(area=Area.objects.get(slug="kent")))
    factories.verify_client(client, kent)
    listing = client.get(reverse("admin:referrals_referral_changelist"))
    assert listing.status_code == 200
    assert referral.reference not in listing.content.decode()
    opened = client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    assert opened.status_code == 302  # Django's admin redirects a record it cannot find
    assert not AuditEvent.objects.filter(object_id=str(referral.pk), action="view").exists()


def test_opening_a_person_in_the_admin_leaves_a_view_row(client):
    referral = factories.submitted_referral()
    coordinator = staff(factories.coordinator())
    factories.verify_client(client, coordinator)
    response = client.get(reverse("admin:referrals_individual_change", args=[referral.individual_id]))
    assert response.status_code == 200
    row = AuditEvent.objects.get(object_id=str(referral.individual_id), action="view")
    assert row.actor == coordinator
    assert row.details["what"] == "admin"


def test_an_uncleared_staff_user_does_not_see_category_4_people_in_the_admin(client):
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    person = factories.IndividualFactory(family_name="Leakcheckcatfour")
    from referrals import services

    services.registration_open(
        actor=cleared,
        individual=person,
        area=person.area,
        category=4,
        level=1,
        location="community",
        lead_agency=factories.agency(person.area, "police"),
        start_date=factories.dt.date(2024, 1, 1),
        reason="Terrorism-risk nominal",
    )
    factories.verify_client(client, staff(factories.coordinator()))
    listing = client.get(reverse("admin:referrals_individual_changelist"))
    assert "Leakcheckcatfour".upper() not in listing.content.decode().upper()
    factories.verify_client(client, staff(cleared))
    listing = client.get(reverse("admin:referrals_individual_changelist"))
    assert "LEAKCHECKCATFOUR" in listing.content.decode().upper()


def test_meeting_records_in_the_admin_are_scoped_to_the_area(client):
    meeting = factories.scheduled_meeting(registrations=[factories.registration_at_level(2)])
    kent = staff(factories.coordinator(area=Area.objects.get(slug="kent")))
    factories.verify_client(client, kent)
    names = ("meeting", "invitation", "agendaitem")
    assert all(client.get(reverse(f"admin:meetings_{n}_changelist")).context["cl"].result_count == 0 for n in names)
    opened = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert opened.status_code == 302
    factories.verify_client(client, staff(factories.coordinator()))
    counts = {n: client.get(reverse(f"admin:meetings_{n}_changelist")).context["cl"].result_count for n in names}
    assert all(counts.values()), counts


def test_the_admin_changes_a_registrations_lead_agency_through_the_service(client):
    registration = factories.registration_at_level(2)
    coordinator = staff(factories.coordinator())
    factories.verify_client(client, coordinator)
    police = factories.agency(registration.area, "police")
    url = reverse("admin:referrals_registration_transition", args=[registration.pk, "change_circumstances"])
    missing = client.post(url, {"lead_agency": police.pk, "text": "Police now lead"})
    assert missing.status_code == 200 and "Enter the effective date" in missing.content.decode()
    done = client.post(
        url,
        {
            "lead_agency": police.pk,
            "effective_date": factories.timezone.localdate().isoformat(),
            "text": "Police now lead",
        },
    )
    assert done.status_code == 302
    assert registration.periods.get(end_date__isnull=True).lead_agency == police
    assert AuditEvent.objects.filter(object_id=str(registration.pk), action="change", reason="Police now lead").exists()


def test_admin_lists_of_people_are_audited_and_a_cleared_users_searches_are_kept_from_the_uncleared(client):
    referral = factories.submitted_referral()
    cleared = staff(factories.coordinator(counter_terrorism_cleared=True))
    factories.verify_client(client, cleared)
    assert client.get(reverse("admin:referrals_individual_changelist"), {"q": "Canarysearch-Typed"}).status_code == 200
    row = AuditEvent.objects.get(object_type="list")
    assert row.details["search"] == {"q": "Canarysearch-Typed"} and row.actor == cleared
    assert row.details["individual_ids"] == []
    factories.verify_client(client, staff(factories.UserFactory(roles=["administrator"])))
    audit = client.get(reverse("admin:mappa_workflow_auditevent_changelist")).content.decode()
    assert f"/{row.pk}/change/" not in audit
    assert client.get(reverse("admin:mappa_workflow_auditevent_change", args=[row.pk])).status_code == 302
    assert referral.individual_id  # the uncleared administrator still reads the rest of the trail


def test_another_areas_searches_never_reach_an_area_coordinator_through_the_audit_trail(client):
    """A Kent co-ordinator's search keeps the name as typed; Northamptonshire's staff never read it."""
    kent_area = Area.objects.get(slug="kent")
    kent_person = factories.unmistakable_individual(area=kent_area)
    factories.verify_client(client, factories.coordinator(area=kent_area))
    assert client.get(reverse("web:case_list"), {"q": kent_person.family_name}).status_code == 200
    search = AuditEvent.objects.filter(object_type="list").latest("id")
    assert kent_person.family_name in str(search.details)
    client.logout()

    factories.verify_client(client, staff(factories.coordinator()))
    listing = client.get(reverse("admin:mappa_workflow_auditevent_changelist") + "?all=")
    assert listing.status_code == 200 and kent_person.family_name not in listing.content.decode()
    opened = client.get(reverse("admin:mappa_workflow_auditevent_change", args=[search.pk]))
    assert opened.status_code == 302 or kent_person.family_name not in opened.content.decode()
    client.logout()

    factories.verify_client(client, staff(factories.UserFactory(roles=["administrator"])))
    assert (
        kent_person.family_name
        in client.get(reverse("admin:mappa_workflow_auditevent_change", args=[search.pk])).content.decode()
    )


def _commissioned_review():
    """A Level 2 case of Northamptonshire charged with a serious further offence; its chair commissioned a review
    with one action in the plan."""
    from oversight import services

    case = factories.registration_at_level(2, individual=factories.unmistakable_individual())
    today = factories.timezone.localdate()
    sfo = services.sfo_record(
        actor=factories.coordinator(), registration=case, offence_date=today, charged_on=today, offence="Arson"
    )
    review = services.scr_commission(
        actor=factories.smb_chair(),
        review=sfo.review,
        criteria_met=["level_2_or_3"],
        reasons="",
        remit="Information sharing.",
        lay_adviser=factories.lay_adviser(),
    )
    action = services.scr_action_add(
        actor=factories.coordinator(),
        review=review,
        description="Audit address checks",
        owning_agency=factories.agency(case.area, "police"),
        due_date=today,
    )
    return sfo, review, action


REVIEW_ADMIN = ("seriousfurtheroffence", "seriouscasereview", "reviewaction")


def test_serious_case_reviews_are_read_in_the_admin_by_the_areas_staff_only_and_never_changed_there(client):
    sfo, review, action = _commissioned_review()
    pks = dict(zip(REVIEW_ADMIN, (sfo.pk, review.pk, action.pk), strict=True))
    kent = staff(factories.coordinator(area=Area.objects.get(slug="kent")))
    factories.verify_client(client, kent)
    for name, pk in pks.items():
        assert client.get(reverse(f"admin:case_reviews_{name}_changelist")).context["cl"].result_count == 0, name
        assert client.get(reverse(f"admin:case_reviews_{name}_change", args=[pk])).status_code == 302, name

    coordinator = staff(factories.coordinator())
    factories.verify_client(client, coordinator)
    for name, pk in pks.items():
        assert client.get(reverse(f"admin:case_reviews_{name}_changelist")).context["cl"].result_count == 1, name
        page = client.get(reverse(f"admin:case_reviews_{name}_change", args=[pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), name
        # Nothing is added, changed or deleted here: the review's pages and services keep the audit trail.
        assert client.get(reverse(f"admin:case_reviews_{name}_add")).status_code == 403, name
        assert client.post(reverse(f"admin:case_reviews_{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert (
        sfo.individual.family_name.upper()
        in client.get(reverse("admin:case_reviews_seriousfurtheroffence_change", args=[sfo.pk]))
        .content.decode()
        .upper()
    )
    assert AuditEvent.objects.filter(object_id=str(sfo.pk), action="view", actor=coordinator).exists()
    review.refresh_from_db()
    assert review.actions.count() == 1 and review.serious_further_offence_id == sfo.pk


def test_smb_members_and_lay_advisers_with_staff_access_never_reach_the_review_admin(client):
    """They read a review without the person, on its own pages: the admin's pages name the person."""
    sfo, review, action = _commissioned_review()
    pks = dict(zip(REVIEW_ADMIN, (sfo.pk, review.pk, action.pk), strict=True))
    for reader in (staff(factories.smb_chair()), staff(factories.lay_adviser())):
        factories.verify_client(client, reader)
        index = client.get(reverse("admin:index")).content.decode()
        assert "/admin/case_reviews/" not in index
        for name, pk in pks.items():
            assert client.get(reverse(f"admin:case_reviews_{name}_changelist")).status_code == 403, name
            opened = client.get(reverse(f"admin:case_reviews_{name}_change", args=[pk]))
            assert opened.status_code in (302, 403), name
            assert sfo.individual.family_name.upper() not in opened.content.decode().upper()
        client.logout()
