"""/healthz for monitoring, and statistics exports built in the background with visible progress."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Role
from notifications import outbox, services
from notifications.models import ExportJob, ExportStatus, MessageKind, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker():
    with mock.patch.object(outbox, "publish", return_value=True):
        yield


def test_healthz_reports_database_broker_and_outbox_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["outbox"] == {"waiting": 0, "oldest_waiting_seconds": 0, "failed": 0}
    assert body["status"] == "ok"


def test_healthz_with_the_broker_down_is_degraded_but_200(client):
    with mock.patch("notifications.broker.broker_status", return_value="error: ConnectionError"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "error: ConnectionError"
    assert response.json()["status"] == "degraded"


def test_healthz_with_the_database_down_is_503(client):
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("db gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: RuntimeError"
    assert response.json()["status"] == "down"


@pytest.fixture
def statistics_reader():
    return factories.UserFactory(roles=[Role.SMB_MEMBER])


def fake_builder(*, area, year, export_format, progress):  # type: ignore[no-untyped-def]
    progress(50, "Counting registrations")
    assert ExportJob.objects.get().progress == 50  # the requester sees it while it is being built
    return f"mappa-{area.slug}-{year}.{export_format}", b"table,count\nsnapshot,1170\n"


def test_an_export_is_built_in_the_background_and_the_requester_is_told(
    statistics_reader, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(services, "statistics_export_content", fake_builder),
        mock.patch.object(services, "publish", return_value=True) as publish,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.export_request(
                actor=statistics_reader, area=statistics_reader.area, year=2024, export_format="csv"
            )
        assert publish.call_args.args[1] == str(job.pk)  # the build task is queued after commit
        assert services.export_build(job_id=job.pk) == "done"
        assert services.export_build(job_id=job.pk) == "not queued"  # a redelivered task builds nothing

    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100)
    assert job.file.read() == b"table,count\nsnapshot,1170\n"
    ready = OutboxMessage.objects.get(kind=MessageKind.EXPORT_READY)
    assert ready.recipient_email == statistics_reader.email


def test_an_export_refuses_bad_input_and_people_who_may_not_see_statistics(statistics_reader):
    with mock.patch.object(services, "statistics_export_content", fake_builder):
        with pytest.raises(WorkflowError) as bad_format:
            services.export_request(
                actor=statistics_reader, area=statistics_reader.area, year=2024, export_format="doc"
            )
        with pytest.raises(NotPermitted):
            services.export_request(
                actor=factories.practitioner(AgencyType.POLICE),
                area=statistics_reader.area,
                year=2024,
                export_format="csv",
            )
    assert "export_format" in bad_format.value.errors
    assert not ExportJob.objects.exists()


def test_an_export_that_cannot_be_built_fails_clearly(statistics_reader):
    """A build that breaks leaves the job failed, saying why, instead of running or queued for ever."""
    job = ExportJob.objects.create(
        requested_by=statistics_reader, area=statistics_reader.area, year=2024, export_format="csv"
    )
    with mock.patch.object(services, "statistics_export_content", side_effect=RuntimeError("the statistics broke")):
        assert services.export_build(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "RuntimeError: the statistics broke"
    assert not OutboxMessage.objects.filter(kind=MessageKind.EXPORT_READY).exists()


def test_a_real_export_of_the_annual_statistics_is_built_from_the_reporting_app(statistics_reader):
    job = ExportJob.objects.create(
        requested_by=statistics_reader, area=statistics_reader.area, year=2024, export_format="json"
    )

    assert services.export_build(job_id=job.pk) == "done"

    job.refresh_from_db()
    assert job.file.name.endswith("mappa-statistics-northamptonshire-2024-25.json")
    assert job.file.read().startswith(b"{")
