"""The attendance page: one compact row per invited agency, and every mistake reported at once, named by agency."""

import re

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType
from tests import factories

pytestmark = pytest.mark.django_db


def _line(invitations, agency_type):
    return next(n for n, i in enumerate(invitations, 1) if i.agency.agency_type == agency_type)


def test_every_agencys_mistakes_are_reported_together_under_its_own_name_and_nothing_is_saved(signed_in):
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    client = signed_in(meeting.created_by)
    url = reverse("web:meeting_attendance", args=[meeting.pk])
    invitations = list(meeting.invitations.select_related("agency"))
    # The first agencies in the list are left "not recorded", so an entry's position among those sent is not
    # its line on the page: messages must name the agency, not a line number.
    police, probation = _line(invitations, AgencyType.POLICE), _line(invitations, AgencyType.PROBATION)
    police_name = invitations[police - 1].agency.name
    probation_name = invitations[probation - 1].agency.name
    page = client.post(
        url,
        {
            f"attendance-{police}-status": "present",  # no name, role, seniority or MAPPA D
            f"attendance-{probation}-status": "present",
            f"attendance-{probation}-name": "Alex Example",  # no role; MAPPA D not acknowledged
            f"attendance-{probation}-seniority": "1",
        },
    ).content.decode()

    summary = page[page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))]
    assert f"{police_name}: enter the name of the person attending" in summary
    assert f"{police_name}: enter the role of the person attending" in summary
    assert f"{police_name}: select the seniority of the person attending" in summary
    assert f"{police_name}: the person attending must acknowledge the confidentiality statement" in summary
    assert f"{probation_name}: enter Alex Example&#x27;s role" in summary
    assert f"{probation_name}: Alex Example must acknowledge the confidentiality statement" in summary
    assert "Line " not in summary
    # Each message links to its field in the agency's own row.
    assert f'href="#id_attendance-{probation}-role"' in summary and f'href="#id_attendance-{police}-name"' in summary
    assert not meeting.attendance.exists()


def test_the_page_is_one_table_row_per_invited_agency_with_labels_for_screen_readers(signed_in):
    meeting = factories.held_meeting("level_2", registrations=[factories.registration_at_level(2)])
    client = signed_in(meeting.created_by)
    page = client.get(reverse("web:meeting_attendance", args=[meeting.pk])).content.decode()
    invitations = list(meeting.invitations.select_related("agency"))
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', page)
    assert rows == [i.agency.name for i in invitations]
    for number, invitation in enumerate(invitations, 1):
        label = re.search(rf'<label[^>]*for="id_attendance-{number}-name"[^>]*>([^<]+)</label>', page)
        assert label is not None and label.group(1).strip() == f"{invitation.agency.name}: Name"
    assert page.count("<fieldset") == 0  # no per-agency fieldsets, each a screen tall
