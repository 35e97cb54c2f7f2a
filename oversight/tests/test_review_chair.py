"""Only the SMB's chair records the decision on a serious case review (MAPPA Guidance ch. 20: "the SMB chair's
decision ... within 5 working days"). The chair is whoever holds the board's chair tenure today with the account
they sign in with, recorded on the governance page. An SMB member who is not the chair, a chair whose tenure has
ended and the chair of another area are refused on the page and by the service, and nothing changes; where no
account can decide, the review's page says who decides and how to put it right instead of offering a button.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from case_reviews.models import ReviewState, SeriousCaseReview
from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import Area, AuditEvent
from oversight import services
from oversight.governance.models import BoardRole, BoardTenure
from tests import factories

pytestmark = pytest.mark.django_db

DECIDE_NOT_TO_REVIEW = {"outcome": "not_to_review", "reasons": "Managed well by every agency."}


def _as(user) -> Client:
    return factories.verify_client(Client(), user)


@pytest.fixture
def review() -> SeriousCaseReview:
    """A Level 2 case charged with a serious further offence today: the SMB's decision is due."""
    case = factories.registration_at_level(2, individual=factories.unmistakable_individual())
    today = timezone.localdate()
    sfo = services.sfo_record(
        actor=factories.coordinator(case.area), registration=case, offence_date=today, charged_on=today, offence="Arson"
    )
    return sfo.review


def _decide(user, review):
    return services.scr_decide_not_to_review(actor=user, review=review, criteria_met=[], reasons="No concern.")


def _refused_everywhere(user, review, *, page_status: int = 403) -> None:
    """The page offers no button, the form is refused, and the service refuses: the review is still due and no audit
    row was written."""
    rows = AuditEvent.objects.exclude(action__in=["view", "sign_in"]).count()
    pages = _as(user)
    detail = pages.get(reverse("web:review_detail", args=[review.pk]))
    decide = reverse("web:review_decide", args=[review.pk])
    if detail.status_code == 200:
        assert decide not in detail.content.decode()
    assert pages.get(decide).status_code == page_status
    assert pages.post(decide, DECIDE_NOT_TO_REVIEW).status_code == page_status
    with pytest.raises(NotPermitted):
        _decide(user, review)
    fresh = SeriousCaseReview.objects.get(pk=review.pk)
    assert fresh.state == ReviewState.DECISION_DUE and fresh.decided_by is None
    assert AuditEvent.objects.exclude(action__in=["view", "sign_in"]).count() == rows


def test_the_boards_chair_records_the_decision_from_the_reviews_page(review):
    chair = factories.smb_chair(review.area)
    pages = _as(chair)
    detail = pages.get(reverse("web:review_detail", args=[review.pk])).content.decode()
    decide = reverse("web:review_decide", args=[review.pk])
    assert decide in detail and "Record the SMB" in detail

    response = pages.post(decide, DECIDE_NOT_TO_REVIEW)

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.NOT_REVIEWED and review.decided_by == chair
    assert AuditEvent.objects.filter(object_id=str(review.pk), transition="decide_not_to_review").exists()


def test_an_smb_member_who_is_not_the_chair_reads_the_review_and_who_decides_but_cannot_decide(review):
    chair = factories.smb_chair(review.area)
    member = factories.smb_member(review.area)

    _refused_everywhere(member, review)

    page = _as(member).get(reverse("web:review_detail", args=[review.pk])).content.decode()
    assert f"The board's chair, {chair.get_full_name()}, records the SMB's decision on this review" in page


def test_a_chair_whose_tenure_ended_yesterday_cannot_decide_and_the_page_says_the_board_has_no_chair(review):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    former = factories.smb_chair(review.area, ends_on=yesterday)

    _refused_everywhere(former, review)

    page = _as(former).get(reverse("web:review_detail", args=[review.pk])).content.decode()
    assert "the board has no chair in tenure today" in page
    assert reverse("web:smb_governance") in page  # where the new chair is recorded


def test_the_chair_of_another_area_cannot_decide_nor_open_the_review(review):
    kent_chair = factories.smb_chair(Area.objects.get(slug="kent"))
    factories.smb_chair(review.area)  # this area has its own chair, with an account

    _refused_everywhere(kent_chair, review, page_status=404)


def test_with_no_account_recorded_for_the_chair_the_page_says_so_and_recording_it_lets_the_chair_decide(review):
    """The board's chair is recorded by name only: no one can decide, and the page says who records the account and
    where. Once the co-ordinator records it on the governance page, the chair decides."""
    area = review.area
    coordinator = factories.coordinator(area)
    tenure = services.board_member_appoint(
        actor=coordinator,
        area=area,
        name="Ruth Okafor",
        role=BoardRole.CHAIR,
        agency=factories.agency(area, "police"),
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    chair = factories.smb_member(area)
    for reader in (chair, coordinator, factories.lay_adviser(area)):
        page = _as(reader).get(reverse("web:review_detail", args=[review.pk])).content.decode()
        assert "no account is recorded for their tenure as chair" in page, reader
        assert "Ruth Okafor" in page and reverse("web:review_decide", args=[review.pk]) not in page
        assert f'href="{reverse("web:smb_governance")}#account"' in page
    _refused_everywhere(chair, review)

    _as(coordinator).post(
        reverse("web:smb_governance"), {"form": "account", "account-tenure": str(tenure.pk), "account-user": chair.pk}
    )

    assert BoardTenure.objects.get(pk=tenure.pk).user == chair
    assert _as(chair).post(reverse("web:review_decide", args=[review.pk]), DECIDE_NOT_TO_REVIEW).status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.NOT_REVIEWED and review.decided_by == chair


def test_a_chair_without_the_smb_member_role_any_more_cannot_decide_and_the_page_says_why(review):
    chair = factories.smb_chair(review.area)
    chair.role_assignments.all().delete()
    member = factories.smb_member(review.area)

    with pytest.raises(NotPermitted):
        _decide(chair, review)
    page = _as(member).get(reverse("web:review_detail", args=[review.pk])).content.decode()
    assert "the account recorded for their tenure cannot read or decide this review" in page
