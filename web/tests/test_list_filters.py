"""A co-ordinator narrows the cases, meetings and actions lists with filters (plain GET forms: no JavaScript),
sees the month of panels as a calendar, and follows the dashboard's counts to the lists they count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType
from meetings import services as meeting_services
from referrals.models import Location, Registration
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _names(page: str) -> set[str]:
    return set(re.findall(r'href="/cases/[0-9a-f-]{36}/">([^<]+)</a>', page))


@pytest.fixture
def three_cases():
    today = timezone.localdate()
    level_2 = factories.registration_at_level(2, category=1)
    level_3 = factories.registration_at_level(
        3, category=2, current_location=Location.CUSTODY, proposed_release_address="not yet known"
    )
    overdue = factories.registration_at_level(2, category=2)
    Registration.objects.filter(pk=overdue.pk).update(next_review_due=today - dt.timedelta(days=3))
    Registration.objects.filter(pk=level_2.pk).update(next_review_due=today + dt.timedelta(days=60))
    return {name: str(r.individual) for name, r in [("level_2", level_2), ("level_3", level_3), ("overdue", overdue)]}


def test_the_case_list_filters_by_level_category_location_lead_agency_and_review(signed_in, three_cases):
    client = signed_in(factories.coordinator())
    url = reverse("web:case_list")
    everyone = _names(client.get(url).content.decode())
    assert set(three_cases.values()) <= everyone

    assert _names(client.get(url, {"level": "3"}).content.decode()) == {three_cases["level_3"]}
    assert _names(client.get(url, {"category": "1"}).content.decode()) == {three_cases["level_2"]}
    assert _names(client.get(url, {"location": Location.CUSTODY}).content.decode()) == {three_cases["level_3"]}
    assert _names(client.get(url, {"review": "overdue"}).content.decode()) == {three_cases["overdue"]}
    both = _names(client.get(url, {"level": "2", "category": "2"}).content.decode())
    assert both == {three_cases["overdue"]}

    lead = Registration.objects.get(status="level_3").periods.get(end_date__isnull=True)
    page = client.get(url, {"lead_agency": lead.lead_agency_id}).content.decode()
    assert three_cases["level_3"] in _names(page)
    assert f"Filtered by Lead agency: {lead.lead_agency.name}" in page


def test_the_case_list_sorts_by_next_review_and_keeps_filters_in_its_sort_links(signed_in, three_cases):
    client = signed_in(factories.coordinator())
    page = client.get(reverse("web:case_list"), {"level": "2", "sort": "review"}).content.decode()
    assert page.index(three_cases["overdue"]) < page.index(three_cases["level_2"])  # the earlier review first
    assert 'href="?level=2&amp;sort=-review"' in page  # a second click reverses, still filtered


def test_a_hand_edited_filter_is_named_in_an_error_and_the_list_still_shows(signed_in, three_cases):
    client = signed_in(factories.coordinator())
    response = client.get(reverse("web:case_list"), {"level": "7", "category": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select one of the options for level" in page
    assert _names(page) == {three_cases["level_2"]}  # the valid filter still applies


def test_an_uncleared_reader_is_not_offered_category_4(signed_in):
    page = signed_in(factories.coordinator()).get(reverse("web:case_list")).content.decode()
    options = re.search(r'<select[^>]*name="category".*?</select>', page, re.S)
    assert options is not None and "Category 4" not in options.group(0)


def test_the_meeting_list_filters_by_type_and_date_range(signed_in):
    today = timezone.localdate()

    def at(days: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(10)))

    near_2 = factories.scheduled_meeting("level_2", starts_at=at(7))
    far_2 = factories.scheduled_meeting("level_2", starts_at=at(40))
    near_3 = factories.scheduled_meeting("level_3", starts_at=at(8))
    client = signed_in(factories.coordinator())
    url = reverse("web:meeting_list")

    def listed(**params: str) -> set[str]:
        return set(re.findall(r'href="/meetings/([0-9a-f-]{36})/"', client.get(url, params).content.decode()))

    assert listed() >= {str(m.pk) for m in (near_2, far_2, near_3)}
    assert listed(meeting_type="level_3") == {str(near_3.pk)}
    window = {
        "date_from": (today + dt.timedelta(days=1)).isoformat(),
        "date_to": (today + dt.timedelta(days=30)).isoformat(),
    }
    assert listed(**window) == {str(near_2.pk), str(near_3.pk)}
    assert listed(meeting_type="level_2", **window) == {str(near_2.pk)}


def test_the_action_list_filters_by_status_owning_agency_and_due(signed_in):
    police = factories.risk_action(AgencyType.POLICE, due_in_days=3)
    housing = factories.risk_action(AgencyType.HOUSING, due_in_days=60)
    client = signed_in(factories.coordinator())
    url = reverse("web:action_list")

    def listed(**params: str) -> set[str]:
        page = client.get(url, {"show": "all", **params}).content.decode()
        return set(re.findall(r'href="/actions/([0-9a-f-]{36})/"', page))

    assert listed() == {str(police.pk), str(housing.pk)}
    assert listed(owning_agency=str(housing.owning_agency_id)) == {str(housing.pk)}
    assert listed(due="week") == {str(police.pk)}
    assert listed(due="later") == {str(housing.pk)}
    assert listed(state="completed") == set()
    assert listed(state="open") == {str(police.pk), str(housing.pk)}


def test_filtered_lists_pin_their_queries(signed_in, django_assert_max_num_queries, three_cases):
    factories.risk_action(AgencyType.POLICE)
    client = signed_in(factories.coordinator())
    audit = factories.list_audit_queries()
    with django_assert_max_num_queries(13 + audit):
        page = client.get(reverse("web:case_list"), {"level": "2", "review": "overdue", "sort": "review"})
        assert page.status_code == 200
    with django_assert_max_num_queries(13 + audit):
        assert client.get(reverse("web:action_list"), {"state": "open", "due": "month"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:meeting_list"), {"meeting_type": "level_2", "show": "all"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("web:meeting_month")).status_code == 200


def test_the_month_view_shows_the_area_s_panels_day_by_day_with_previous_and_next_months(signed_in):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    day = next_month + dt.timedelta(days=9)
    panel = factories.scheduled_meeting(
        "level_3", starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(13, 30)))
    )
    cancelled = factories.scheduled_meeting(
        "level_2", starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    )
    meeting_services.meeting_cancel(actor=cancelled.created_by, meeting=cancelled, reason="Chair unavailable")
    client = signed_in(factories.coordinator())

    page = client.get(reverse("web:meeting_month"), {"month": f"{next_month:%Y-%m}"}).content.decode()
    assert f'<h1 class="govuk-heading-l">Meetings in {next_month:%B %Y}</h1>' in page
    assert page.count('<th scope="col" class="govuk-table__header">') == 7  # Monday to Sunday
    cell = page[page.index(f'{day.day}<span class="govuk-visually-hidden"> {day:%B}</span>') :]
    cell = cell[: cell.index("</td>")]
    assert f'href="/meetings/{panel.pk}/">13:30 Level 3 panel</a>' in cell
    assert '09:30 Level 2 panel</a> <strong class="govuk-tag govuk-tag--grey">Cancelled</strong>' in cell
    previous = (next_month - dt.timedelta(days=1)).replace(day=1)
    assert f'href="?month={previous:%Y-%m}" rel="prev"' in page
    assert "2 meetings in" in page

    only_3 = client.get(reverse("web:meeting_month"), {"month": f"{next_month:%Y-%m}", "meeting_type": "level_3"})
    assert str(cancelled.pk) not in only_3.content.decode() and str(panel.pk) in only_3.content.decode()
    assert client.get(reverse("web:meeting_month"), {"month": "not-a-month"}).status_code == 200


def test_the_month_view_is_for_co_ordinators_and_chairs_only(signed_in):
    assert signed_in(factories.practitioner()).get(reverse("web:meeting_month")).status_code == 403


def test_dashboard_counts_link_to_the_lists_they_count(signed_in):
    from meetings.models import RiskAction

    late = factories.risk_action(AgencyType.HOUSING, due_in_days=1)
    RiskAction.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))  # time passed
    factories.risk_action(AgencyType.POLICE, due_in_days=10)
    client = signed_in(factories.coordinator())
    page = client.get(reverse("web:dashboard")).content.decode()
    link = re.search(
        r'<a class="govuk-link" href="([^"]+)">1<span class="govuk-visually-hidden"> overdue actions', page
    )
    assert link is not None
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(r'href="/actions/([0-9a-f-]{36})/"', listed) == [str(late.pk)]
    assert 'href="/referrals/?state=awaiting"' in page
    assert 'href="/meetings/month/?month=' in page
    assert 'href="/cases/?review=overdue"' in page
