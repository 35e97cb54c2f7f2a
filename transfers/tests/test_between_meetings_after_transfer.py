"""After a transfer, what the sending area recorded between meetings (release plans, third-party notifications,
Level 1 reviews) stays with the sending area, like its meetings and actions: the receiving area's case page, lists,
detail pages and API show only what the receiving area records (docs/transfers.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from level_one import selectors as level_one_selectors
from level_one.models import LevelOneReview
from mappa_workflow.models import AgencyType, Area
from release_planning import selectors as release_selectors
from release_planning import services as release_services
from release_planning.tests.test_disclosures import ANSWERS
from tests import factories
from transfers import services as transfer_services

pytestmark = pytest.mark.django_db

NOTICE = ANSWERS  # a chapter 10 disclosure, answered in full


def test_the_sending_areas_plans_notifications_and_reviews_stay_with_it(client):
    kent = Area.objects.get(slug="kent")
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.registration_in_custody(referrer=probation)
    person = registration.individual
    plan = release_services.release_plan_create(
        actor=probation, individual=person, expected_date=timezone.localdate() + dt.timedelta(weeks=8)
    )
    notice = release_services.third_party_notification_record(
        actor=probation, individual=person, sent_on=timezone.localdate(), individual_told=True, **NOTICE
    )
    review = LevelOneReview.objects.create(  # as recorded before the case went to Level 2 (set directly)
        area=registration.area,
        individual=person,
        registration=registration,
        lead_agency=probation.agency,
        reviewed_on=timezone.localdate() - dt.timedelta(days=40),
        risk_changed=False,
        plan_robust=True,
        refer_to_level_2=False,
        notes="Reviewed in Northamptonshire (synthetic)",
        next_review_due=timezone.localdate() + dt.timedelta(days=300),
    )

    north = factories.coordinator()
    kent_coordinator = factories.coordinator(kent)
    factories.verify_client(client, north)
    before = client.get(reverse("web:case_detail", args=[person.pk])).content.decode()
    for text in (
        NOTICE["recipient"],
        "Reviewed in Northamptonshire (synthetic)",
        reverse("web:release_plan", args=[plan.pk]),
    ):
        assert text in before, text
    client.logout()
    transfer = transfer_services.transfer_request(
        actor=north,
        registration=registration,
        receiving_area=kent,
        reason="Moving.",
        proposed_date=timezone.localdate(),
    )
    transfer = transfer_services.transfer_accept(
        actor=kent_coordinator,
        transfer=transfer,
        transfer_date=timezone.localdate(),
        lead_agency=factories.agency(kent, AgencyType.PROBATION),
    )
    transfer_services.transfer_complete(actor=north, transfer=transfer, actions={})
    person.refresh_from_db()
    assert person.area == kent

    factories.verify_client(client, kent_coordinator)
    page = client.get(reverse("web:case_detail", args=[person.pk])).content.decode()
    for text in (NOTICE["recipient"], "Reviewed in Northamptonshire (synthetic)"):
        assert text not in page, text
    assert "No release plans." in page
    for name, pk in (("web:release_plan", plan.pk), ("web:notification_acknowledge", notice.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert not release_selectors.visible_release_plans(kent_coordinator).filter(pk=plan.pk).exists()
    assert not release_selectors.visible_notifications(kent_coordinator).filter(pk=notice.pk).exists()
    assert not level_one_selectors.visible_reviews(kent_coordinator).filter(pk=review.pk).exists()
