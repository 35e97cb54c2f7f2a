"""Every view of a person, referral or minutes and every download leaves its audit row; the
co-ordinator sees who viewed a case; statistics downloads can be prepared in the background."""

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType, AuditAction, AuditEvent, Role
from notifications import services as notification_services
from notifications.models import ExportJob, ExportStatus
from reporting import exports
from reporting.statistics import current_reporting_year
from tests import factories
from web.views.statistics import latest_complete_year

pytestmark = pytest.mark.django_db


def _rows_written_by(client, url, **filters):
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200, url
    return list(AuditEvent.objects.filter(id__gt=before, **filters).order_by("id"))


@pytest.mark.parametrize("page", ["case page", "referral page"])
def test_a_view_leaves_exactly_one_row_with_who_what_and_address(signed_in, page):
    referral = factories.accepted_referral(level=2)
    user = factories.coordinator()
    client = signed_in(user)
    url = (
        reverse("web:case_detail", args=[referral.individual_id])
        if page == "case page"
        else reverse("web:referral_detail", args=[referral.pk])
    )
    [row] = _rows_written_by(client, url)
    assert row.action == AuditAction.VIEW
    assert (row.actor, row.actor_label) == (user, str(user))
    assert row.ip_address == "127.0.0.1"
    assert row.object_type == ("referrals.Individual" if page == "case page" else "referrals.Referral")
    assert row.object_id == str(referral.individual_id if page == "case page" else referral.pk)
    assert row.details["individual_id"] == str(referral.individual_id)
    assert row.details["what"] == page and row.details["path"] == url


def test_check_your_answers_is_a_view_of_the_referral(signed_in):
    referral = factories.draft_referral()
    [row] = _rows_written_by(signed_in(referral.referring_officer), reverse("web:referral_check", args=[referral.pk]))
    assert (row.action, row.object_id, row.actor) == (AuditAction.VIEW, str(referral.pk), referral.referring_officer)


def test_the_meeting_page_minutes_page_and_minutes_pdf_are_views_and_the_pdf_an_export(signed_in):
    action = factories.risk_action()
    item = action.case_minutes.agenda_item
    meeting = item.meeting
    person = str(item.registration.individual_id)
    client = signed_in(meeting.created_by)

    [row] = _rows_written_by(client, reverse("web:meeting_detail", args=[meeting.pk]))
    assert (row.action, row.object_type, row.details["individual_id"]) == ("view", "meetings.Meeting", person)

    [row] = _rows_written_by(client, reverse("web:meeting_case_minutes", args=[meeting.pk, item.pk]))
    assert (row.action, row.object_type, row.details["individual_id"]) == ("view", "meetings.CaseMinutes", person)

    view, export = _rows_written_by(client, reverse("web:meeting_minutes_pdf", args=[meeting.pk]))
    assert (view.action, view.details["individual_id"]) == ("view", person)
    assert (export.action, export.object_id, export.actor) == ("export", f"minutes-{meeting.pk}", meeting.created_by)
    assert export.ip_address == "127.0.0.1" and export.details["variant"] == "full"


@pytest.mark.parametrize("fmt", sorted(exports.FORMATS))
def test_every_statistics_download_is_recorded_as_an_export(signed_in, fmt):
    user = factories.UserFactory(roles=[Role.LAY_ADVISER])
    client = signed_in(user)
    [row] = _rows_written_by(client, reverse("web:statistics_download", args=[fmt]) + "?year=2024")
    assert (row.action, row.actor, row.object_id) == ("export", user, f"statistics-2024-{fmt}")
    assert row.ip_address == "127.0.0.1" and row.details["format"] == fmt and row.area_id == user.area_id


# ---------------------------------------------------------------------------------------------
# Who viewed this case
# ---------------------------------------------------------------------------------------------


def test_the_coordinator_sees_who_viewed_the_case(signed_in, client):
    referral = factories.accepted_referral(level=2)
    url = reverse("web:case_detail", args=[referral.individual_id])
    referrer = referral.referring_officer
    referrer_page = signed_in(referrer).get(url).content.decode()
    assert "Who viewed this case" not in referrer_page  # practitioners never see the list
    client.logout()
    assert "Who viewed this case" not in signed_in(factories.chair()).get(url).content.decode()
    client.logout()
    coordinator = factories.coordinator()
    page = signed_in(coordinator).get(url).content.decode()
    assert "Who viewed this case" in page
    viewers = page.split('id="viewers"')[1]
    assert str(referrer) in viewers and str(coordinator) in viewers


def test_an_administrator_sees_who_viewed_the_case(signed_in):
    referral = factories.accepted_referral(level=2)
    administrator = factories.UserFactory(roles=[Role.ADMINISTRATOR, Role.COORDINATOR], area=referral.area)
    page = signed_in(administrator).get(reverse("web:case_detail", args=[referral.individual_id])).content.decode()
    assert "Who viewed this case" in page


# ---------------------------------------------------------------------------------------------
# Background downloads
# ---------------------------------------------------------------------------------------------


def test_a_download_prepared_in_the_background_shows_progress_then_downloads_once_audited(signed_in):
    user = factories.UserFactory(roles=[Role.SMB_MEMBER])
    client = signed_in(user)
    statistics_page = client.get(reverse("web:statistics")).content.decode()
    assert "Prepare a download in the background" in statistics_page

    year = latest_complete_year()
    response = client.post(reverse("web:statistics_exports"), {"export_format": "csv", "year": str(year)})
    assert response.status_code == 302 and response.url == reverse("web:statistics_exports")
    job = ExportJob.objects.get(requested_by=user)
    assert (job.year, job.export_format, job.status) == (year, "csv", ExportStatus.QUEUED)

    page = client.get(reverse("web:statistics_exports")).content.decode()
    assert "Waiting to start" in page and "0%" in page and "Refresh" in page
    assert "js/export-progress.js" in page and "data-exports-unfinished" in page
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40, progress_message="Counting")
    page = client.get(reverse("web:statistics_exports")).content.decode()
    assert "Being built" in page and "40%" in page and "Counting" in page
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED, progress=0)

    assert notification_services.export_build(job_id=job.pk) == "done"
    page = client.get(reverse("web:statistics_exports")).content.decode()
    download = reverse("web:statistics_export_download", args=[job.pk])
    assert "Ready to download" in page and "100%" in page and download in page
    assert "data-exports-unfinished" not in page and "export-progress.js" not in page

    [row] = _rows_written_by(client, download)
    response = client.get(download)
    assert response["Content-Disposition"].startswith("attachment")
    assert b"Level 2" in b"".join(response.streaming_content)
    assert (row.action, row.actor, row.object_id) == ("export", user, f"statistics-{year}-csv")
    assert row.details["export_job"] == str(job.pk) and row.ip_address == "127.0.0.1"


def test_only_the_requester_downloads_a_prepared_file(signed_in, client):
    owner = factories.coordinator()
    job = notification_services.export_request(actor=owner, area=owner.area, year=2024, export_format="json")
    notification_services.export_build(job_id=job.pk)
    url = reverse("web:statistics_export_download", args=[job.pk])
    assert signed_in(factories.UserFactory(roles=[Role.SMB_MEMBER])).get(url).status_code == 404
    client.logout()
    assert signed_in(factories.practitioner(AgencyType.POLICE)).get(url).status_code == 403
    client.logout()
    assert not AuditEvent.objects.filter(action="export").exists()
    assert signed_in(owner).get(url).status_code == 200


def test_a_download_not_ready_goes_back_to_the_list(signed_in):
    owner = factories.coordinator()
    job = notification_services.export_request(actor=owner, area=owner.area, year=2024, export_format="csv")
    response = signed_in(owner).get(reverse("web:statistics_export_download", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("web:statistics_exports")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_asking_without_a_format_names_the_field_and_creates_nothing(signed_in):
    client = signed_in(factories.UserFactory(roles=[Role.LAY_ADVISER]))
    response = client.post(reverse("web:statistics_exports"), {"year": str(current_reporting_year())})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Select a format for the download" in page and 'href="#id_export_format_0"' in page
    response = client.post(reverse("web:statistics_exports"), {"export_format": "csv", "year": "1800"})
    assert "Select a reporting year" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_page_naming_several_people_writes_a_chained_row_for_each(signed_in):
    from mappa_workflow.audit import verify_chain

    registrations = [factories.registration_at_level(2) for _ in range(3)]
    meeting = factories.held_meeting("level_2", registrations=registrations)
    rows = _rows_written_by(signed_in(meeting.created_by), reverse("web:meeting_detail", args=[meeting.pk]))
    assert sorted(r.details["individual_id"] for r in rows) == sorted(str(r.individual_id) for r in registrations)
    assert [r.previous_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    checked, broken, why = verify_chain()
    assert broken is None, why
    assert checked == AuditEvent.objects.count()
