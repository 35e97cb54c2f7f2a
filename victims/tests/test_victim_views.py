"""A victim liaison officer records victims' views for a case; only the co-ordinator, the chair and the
VLO's agency read them; the chair is prompted on the minutes page when they are new since the last meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditEvent, Role, RoleAssignment
from meetings import services as meeting_services
from notifications.models import OutboxMessage
from tests import factories
from victims import selectors, services
from victims.models import VictimView

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

VIEWS = "She is frightened he will come to her workplace in Kettering-Quillwort."
CONCERNS = "Wants an exclusion zone around the Quillwort business park."


def vlo(agency_type: str = AgencyType.PROBATION, **kwargs):
    user = factories.practitioner(agency_type, **kwargs)
    RoleAssignment.objects.create(user=user, role=Role.VICTIM_LIAISON)
    return type(user).objects.get(pk=user.pk)  # role_set is cached on the instance


@pytest.fixture
def case():
    """A Level 2 case referred by probation, discussed at a panel yesterday, with a review booked next week."""
    registration = factories.registration_at_level(2)
    held = factories.held_meeting("level_2", registrations=[registration])
    meeting_services.case_minutes_record(
        actor=held.created_by, item=held.agenda_items.get(), minutes=factories.minutes_input()
    )
    return registration


def _client(user) -> Client:
    return factories.verify_client(Client(), user)


def test_a_vlo_records_views_and_only_the_coordinator_the_chair_and_the_vlo_agency_read_them(case):
    officer = vlo()
    view = services.victim_view_record(actor=officer, registration=case, views=VIEWS, concerns=CONCERNS)
    assert view.agency == officer.agency
    audit = AuditEvent.objects.get(object_type="victims.VictimView", object_id=str(view.pk))
    assert VIEWS not in str(audit.details) and not audit.reason  # the trail names the record, not the words

    page = reverse("web:case_victim_views", args=[case.individual_id])
    readers = {
        "coordinator": factories.coordinator(),
        "chair": factories.chair(),
        "probation colleague of the VLO": factories.practitioner(AgencyType.PROBATION),
    }
    for who, user in readers.items():
        assert VIEWS in _client(user).get(page).content.decode(), who
    invited_police = factories.practitioner(AgencyType.POLICE)  # invited to the panel: sees the case, not the views
    assert case.agenda_items.filter(meeting__invitations__agency=invited_police.agency).exists()
    outsiders = {
        "police, invited to the panel": invited_police,
        "SMB member": factories.smb_member(),
        "lay adviser": factories.lay_adviser(),
        "administrator": factories.UserFactory(roles=[Role.ADMINISTRATOR]),
        "another area's co-ordinator": factories.coordinator(area=Area.objects.get(slug="kent")),
    }
    for who, user in outsiders.items():
        response = _client(user).get(page)
        assert VIEWS not in response.content.decode(), who
        assert not selectors.visible_victim_views(user).exists(), who
        # nor on the case page, the minutes page or the meeting page
        for url in (
            reverse("web:case_detail", args=[case.individual_id]),
            reverse("web:meeting_detail", args=[case.agenda_items.first().meeting_id]),
        ):
            assert VIEWS not in _client(user).get(url).content.decode(), (who, url)
    assert not OutboxMessage.objects.filter(body_text__contains="Quillwort").exists()


def test_only_a_vlo_of_an_agency_that_works_with_the_case_can_record(case):
    for user in (factories.practitioner(AgencyType.PROBATION), factories.coordinator(), vlo(AgencyType.DWP)):
        with pytest.raises(NotPermitted):
            services.victim_view_record(actor=user, registration=case, views=VIEWS)
    with pytest.raises(WorkflowError) as exc:
        services.victim_view_record(actor=vlo(), registration=case, views="   ")
    assert "views" in exc.value.errors
    assert not VictimView.objects.exists()


def test_the_page_records_views_and_names_the_missing_field(case):
    client = _client(vlo())
    url = reverse("web:case_victim_views", args=[case.individual_id])
    response = client.post(url, {"views": "", "concerns": CONCERNS})
    assert response.status_code == 200 and "Enter the victims" in response.content.decode()
    assert 'href="#id_views"' in response.content.decode() and not VictimView.objects.exists()
    response = client.post(url, {"views": VIEWS, "concerns": CONCERNS})
    assert response.status_code == 302 and VictimView.objects.get().concerns == CONCERNS
    page = client.get(url).content.decode()
    assert "Victim liaison officer to update the victim on licence conditions." in page  # the plan's heading


def test_the_chair_is_prompted_at_the_next_meeting_by_views_new_since_the_last(case):
    chair = factories.chair()
    earlier = services.victim_view_record(actor=vlo(), registration=case, views="Views before the last panel.")
    VictimView.objects.filter(pk=earlier.pk).update(recorded_at=timezone.now() - dt.timedelta(days=3))
    services.victim_view_record(actor=vlo(), registration=case, views=VIEWS)
    review = factories.scheduled_meeting(registrations=[case], chair_user=chair)
    item = review.agenda_items.get()
    page = _client(chair).get(reverse("web:meeting_case_minutes", args=[review.pk, item.pk])).content.decode()
    assert "1 new since this case" in page and VIEWS in page
    assert "Views before the last panel." not in page
    # At the panel held yesterday (the case's first), every view so far was new.
    first = case.agenda_items.order_by("meeting__starts_at").first()
    assert len(selectors.views_new_since_last_meeting(chair, registration_id=case.pk, meeting=first.meeting)) == 2
    # With nothing new, no prompt.
    VictimView.objects.update(recorded_at=timezone.now() - dt.timedelta(days=3))
    page = _client(chair).get(reverse("web:meeting_case_minutes", args=[review.pk, item.pk])).content.decode()
    assert "new since this case" not in page
