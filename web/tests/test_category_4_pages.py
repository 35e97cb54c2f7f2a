"""A co-ordinator without counter-terrorism clearance never meets a Category 4 person on a page:
not in a list, not on the meeting's agenda or in its minutes, and their pages are "not found".
A cleared co-ordinator of the same area sees the same person everywhere (so the tests would fail
if the pages stopped filtering)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mappa_workflow.models import AgencyType
from meetings import services as meeting_services
from meetings.models import PlanHeading
from referrals import services
from tests import factories

pytestmark = pytest.mark.django_db

RESTRICTED = "Quarantelli"
ORDINARY = "Ordinaryson"


@pytest.fixture
def panel():
    """A Level 2 panel with two cases: a Category 4 one (referred and decided by cleared staff) and
    an ordinary one, each minuted with an action."""
    area = factories.northamptonshire()
    decided_on = timezone.localdate() - dt.timedelta(days=30)
    cleared_referrer = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    referral = factories.submitted_referral(
        referrer=cleared_referrer,
        individual=factories.IndividualFactory(area=area, family_name=RESTRICTED),
        category=4,
        submitted_on=decided_on,
    )
    referral = services.referral_decide(
        actor=cleared,
        referral=referral,
        decision="level_2",
        rationale="Terrorism-connected risk needing active multi-agency management.",
        decided_on=decided_on,
    )
    ordinary = factories.registration_at_level(2, individual=factories.IndividualFactory(family_name=ORDINARY))
    meeting = factories.held_meeting("level_2", registrations=[referral.registration, ordinary], actor=cleared)
    items = {}
    for item in meeting.agenda_items.select_related("registration__individual"):
        minutes = meeting_services.case_minutes_record(actor=cleared, item=item, minutes=factories.minutes_input())
        meeting_services.risk_action_create(
            actor=cleared,
            case_minutes=minutes,
            heading=PlanHeading.SUPERVISION,
            description=f"Weekly appointments for {item.registration.individual.family_name}.",
            owning_agency=factories.agency(area, AgencyType.POLICE),
            officer_name="PC Jo Synthetic",
            due_date=timezone.localdate() + dt.timedelta(days=14),
        )
        items[item.registration.individual.family_name] = item
    return {"referral": referral, "meeting": meeting, "items": items, "cleared": cleared}


def _pages(panel):
    referral, meeting = panel["referral"], panel["meeting"]
    return {
        "case list": reverse("web:case_list"),
        "referral list": reverse("web:referral_list"),
        "meeting agenda": reverse("web:meeting_detail", args=[meeting.pk]),
        "actions list": reverse("web:action_list") + "?show=all",
        "dashboard": reverse("web:dashboard"),
        "case page": reverse("web:case_detail", args=[referral.individual_id]),
        "referral page": reverse("web:referral_detail", args=[referral.pk]),
        "minutes page": reverse("web:meeting_case_minutes", args=[meeting.pk, panel["items"][RESTRICTED].pk]),
    }


def _text(response) -> str:
    return response.content.decode().upper()


def test_an_uncleared_coordinator_never_sees_the_category_4_person(signed_in, panel):
    client = signed_in(factories.coordinator())
    pages = _pages(panel)
    for name in ("case list", "referral list", "meeting agenda", "actions list", "dashboard"):
        response = client.get(pages[name])
        assert response.status_code == 200, name
        assert RESTRICTED.upper() not in _text(response), f"the {name} shows the Category 4 person"
        assert panel["referral"].reference.upper() not in _text(response), name
    for name in ("case list", "meeting agenda", "actions list"):
        assert ORDINARY.upper() in _text(client.get(pages[name])), name
    assert "1 CASE ON THIS AGENDA IS NOT SHOWN" in _text(client.get(pages["meeting agenda"]))
    for name in ("case page", "referral page", "minutes page"):
        assert client.get(pages[name]).status_code == 404, name


def test_a_cleared_coordinator_sees_the_category_4_person_everywhere(signed_in, panel):
    client = signed_in(panel["cleared"])
    for name, url in _pages(panel).items():
        response = client.get(url)
        assert response.status_code == 200, name
        if name != "dashboard":  # the dashboard lists the person only when a review falls due
            assert RESTRICTED.upper() in _text(response), name
    assert "NOT SHOWN" not in _text(client.get(_pages(panel)["meeting agenda"]))


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).upper()


def test_the_minutes_pdf_leaves_out_the_category_4_case_for_the_uncleared(signed_in, panel):
    url = reverse("web:meeting_minutes_pdf", args=[panel["meeting"].pk])
    uncleared = _pdf_text(signed_in(factories.coordinator()).get(url))
    assert ORDINARY.upper() in uncleared and RESTRICTED.upper() not in uncleared
    cleared = _pdf_text(signed_in(panel["cleared"]).get(url))
    assert ORDINARY.upper() in cleared and RESTRICTED.upper() in cleared


def _cases_due_page(client) -> str:
    session = client.session
    session["web.schedule_meeting"] = {
        "meeting_type": "level_2",
        "starts_at": (timezone.localtime() + dt.timedelta(days=200)).isoformat(),  # past the next review
        "duration_minutes": 120,
        "venue": "Wootton Hall",
        "video_link": "",
        "chair": factories.chair().pk,
    }
    session.save()
    return _text(client.get(reverse("web:meeting_schedule_cases")))


def test_scheduling_offers_only_the_cases_the_coordinator_may_see(signed_in, client, panel):
    assert RESTRICTED.upper() in _cases_due_page(signed_in(panel["cleared"]))
    client.logout()
    page = _cases_due_page(signed_in(factories.coordinator()))
    assert ORDINARY.upper() in page and RESTRICTED.upper() not in page
