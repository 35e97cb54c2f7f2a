"""Pages respect the same rules as the services: role, area and agency."""

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType, Area, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.SMB_MEMBER, Role.LAY_ADVISER])
def test_smb_members_and_lay_advisers_see_statistics_and_never_a_person(signed_in, role):
    referral = factories.accepted_referral(level=2, individual=factories.unmistakable_individual())
    client = signed_in(factories.UserFactory(roles=[role]))
    assert client.get(reverse("web:statistics")).status_code == 200
    for url in (
        reverse("web:case_list"),
        reverse("web:case_detail", args=[referral.individual_id]),
        reverse("web:referral_list"),
        reverse("web:referral_detail", args=[referral.pk]),
        reverse("web:dashboard"),
        reverse("web:action_list"),
        reverse("web:meeting_list"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert referral.individual.family_name.upper() not in response.content.decode().upper()
    page = client.get(reverse("web:statistics")).content.decode()
    assert referral.individual.family_name.upper() not in page.upper()


def test_a_practitioner_sees_only_cases_their_agency_is_involved_in(signed_in):
    ours = factories.submitted_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    theirs = factories.submitted_referral(
        referrer=factories.practitioner(AgencyType.POLICE), individual=factories.unmistakable_individual()
    )
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    listing = client.get(reverse("web:case_list")).content.decode()
    assert ours.individual.family_name.upper() in listing
    assert theirs.individual.family_name.upper() not in listing
    assert client.get(reverse("web:case_detail", args=[theirs.individual_id])).status_code == 404
    assert client.get(reverse("web:referral_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("web:case_detail", args=[ours.individual_id])).status_code == 200


def test_a_practitioner_cannot_screen_a_referral(signed_in):
    referral = factories.submitted_referral()
    client = signed_in(referral.referring_officer)
    assert client.get(reverse("web:referral_screen", args=[referral.pk])).status_code == 403
    response = client.post(
        reverse("web:referral_screen", args=[referral.pk]), {"decision": "level_2", "rationale": "x"}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.state == "submitted"


def test_a_coordinator_of_another_area_cannot_open_the_case(signed_in):
    referral = factories.submitted_referral(individual=factories.unmistakable_individual())
    other_area = Area.objects.exclude(pk=referral.area_id).filter(agencies__agency_type=AgencyType.PROBATION).first()
    client = signed_in(factories.coordinator(other_area))
    assert client.get(reverse("web:referral_screen", args=[referral.pk])).status_code == 404
    assert client.get(reverse("web:case_detail", args=[referral.individual_id])).status_code == 404
    assert referral.individual.family_name.upper() not in client.get(reverse("web:referral_list")).content.decode()


def test_statistics_offer_every_download_with_the_same_figures(signed_in):
    from mappa_workflow.models import Role

    factories.accepted_referral(level=2)
    client = signed_in(factories.UserFactory(roles=[Role.LAY_ADVISER]))
    page = client.get(reverse("web:statistics")).content.decode()
    assert "Levels 2 and 3" in page and "data:image/svg+xml" in page
    csv = client.get(reverse("web:statistics_download", args=["csv"]))
    assert csv.status_code == 200 and csv["Content-Disposition"].startswith("attachment")
    assert "Level 2" in csv.content.decode()
    assert client.get(reverse("web:statistics_download", args=["exe"])).status_code == 404
    assert client.get(reverse("web:statistics"), {"year": "1800"}).status_code == 404


def test_a_practitioner_reads_on_the_case_page_only_the_minutes_of_panels_their_agency_was_invited_to(signed_in):
    from meetings import services as meeting_services

    registration = factories.registration_at_level(2)
    youth_justice = factories.agency(registration.area, AgencyType.YOUTH_JUSTICE)

    def minuted_panel(days_ago, rationale, recipient, **kwargs):
        meeting = factories.held_meeting("level_2", days_ago=days_ago, registrations=[registration], **kwargs)
        minutes = meeting_services.case_minutes_record(
            actor=meeting.created_by,
            item=meeting.agenda_items.get(),
            minutes=factories.minutes_input("same", rationale=rationale),
        )
        meeting_services.disclosure_decision_record(
            actor=meeting.created_by, case_minutes=minutes, recipient=recipient, what_is_disclosed="Index offence",
            why="Safeguarding", recipient_undertaking="Will not share it", individual_told=True,
        )  # fmt: skip
        return meeting

    invited = minuted_panel(20, "Rationale of the panel youth justice attended.", "Recipient at the first panel",
                            extra_invitations=[(youth_justice, "Worked with the family")])  # fmt: skip
    not_invited = minuted_panel(2, "Rationale of the panel without youth justice.", "Recipient at the second panel")
    assert invited.invitations.filter(agency=youth_justice).exists()
    assert not not_invited.invitations.filter(agency=youth_justice).exists()
    url = reverse("web:case_detail", args=[registration.individual_id])

    page = signed_in(factories.practitioner(AgencyType.YOUTH_JUSTICE)).get(url).content.decode()
    assert "Rationale of the panel youth justice attended." in page and "Recipient at the first panel" in page
    assert "Rationale of the panel without youth justice." not in page and "Recipient at the second panel" not in page

    page = signed_in(factories.coordinator()).get(url).content.decode()
    assert "Rationale of the panel without youth justice." in page and "Recipient at the second panel" in page
