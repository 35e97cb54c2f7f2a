"""The Jinja2 port of the case page that `make bench` times against Django's templates (ADR 0007) renders the
same page, so the comparison cannot drift when the case page's templates change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benchmarks import template_engines
from meetings import services as meeting_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_page(client):
    """A Level 2 case with an action set at a panel and a disclosure decided there (two lines, an apostrophe),
    seen by its area's co-ordinator: the request and the context the view passes to ``render``."""
    action = factories.risk_action()
    minutes = action.case_minutes
    meeting_services.disclosure_decision_record(
        actor=minutes.agenda_item.meeting.created_by,
        case_minutes=minutes,
        recipient="Head teacher, Example Primary School",
        what_is_disclosed="His conviction.\nHis licence conditions.",
        why="He collects his partner's child from the school.",
        recipient_undertaking="Tell no one else.",
        individual_told=False,
        why_individual_not_told="It would put the child at risk.",
    )
    factories.verify_client(client, factories.coordinator(minutes.agenda_item.meeting.area))
    url = reverse("web:case_detail", args=[minutes.agenda_item.registration.individual_id])
    client.get(url)  # a first view, so "who viewed this case" lists one
    return template_engines.view_context(client, url)


def test_the_jinja2_port_renders_the_case_page_as_djangos_templates_do(case_page):
    render = template_engines.renderers(*case_page)
    django_html, jinja_html = render["django"](), render["jinja2"]()
    assert "partner&#x27;s child" in django_html and "His conviction.<br>His licence conditions." in django_html
    assert template_engines.compare(django_html, jinja_html) == [
        why for _, _, why in template_engines.KNOWN_DIFFERENCES
    ]


@pytest.mark.parametrize(
    ("said", "instead"),
    [
        ("PC Jo Synthetic", "PC Jo Synthetik"),
        ("<br>", " "),
        ("partner&#x27;s", "partner's"),
        ('aria-current="page"', ""),
    ],
)
def test_a_port_that_says_something_else_fails_the_comparison(case_page, said, instead):
    render = template_engines.renderers(*case_page)
    django_html, jinja_html = render["django"](), render["jinja2"]()
    assert said in jinja_html
    with pytest.raises(AssertionError, match="renders a different page"):
        template_engines.compare(django_html, jinja_html.replace(said, instead))
