"""The questions of the two audit forms, as the MAPPA document set words them (docs/audits.md).

Data only: the records that prefill an answer are read in :mod:`oversight.audits.prefill`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class AuditKind(models.TextChoices):
    MEETING = "meeting", "Meeting audit (MAPPA L)"
    CASE = "case", "Case audit"


class Score(models.IntegerChoices):
    """MAPPA L scores every item from 1 (poor) to 4 (excellent); the case audit uses the same scale."""

    POOR = 1, "1: Poor"
    ADEQUATE = 2, "2: Adequate"
    GOOD = 3, "3: Good"
    EXCELLENT = 4, "4: Excellent"


class TimelinessBand(models.TextChoices):
    """How much earlier something should have happened (the case audit's timeliness bands)."""

    ON_TIME = "on_time", "On time"
    A_FEW_DAYS = "few_days", "Should have been earlier by a few days"
    OVER_A_WEEK = "over_a_week", "Should have been earlier by more than a week"
    OVER_A_MONTH = "over_a_month", "Should have been earlier by more than a month"
    THREE_MONTHS = "three_months", "Should have been earlier by three months or more"


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str
    timeliness: bool = False  # the case audit's timeliness questions also take a band


MEETING_QUESTIONS: list[Question] = [
    Question("joining_instructions", "Arrangements", "Joining instructions sent"),
    Question("papers_circulated", "Arrangements", "Papers circulated (referral, previous minutes)"),
    Question("venue", "Arrangements", "Venue or video link suitable"),
    Question("started_on_time", "Conduct", "Meeting started on time"),
    Question("purpose_stated", "Conduct", "Purpose of the meeting stated"),
    Question("introductions", "Conduct", "Introductions made"),
    Question("confidentiality_statement", "Conduct", "Confidentiality and diversity statement read or displayed"),
    Question("time_allocated", "Conduct", "Time allocated well between the cases"),
    Question("everyone_drawn_in", "Conduct", "Chair drew everyone in"),
    Question("dissent_noted", "Conduct", "Dissent noted"),
    Question("victim_issues", "Risk", "Victim and potential victim issues addressed"),
    Question("diversity_issues", "Risk", "Diversity issues addressed"),
    Question("risk_summary", "Risk", "Risk of serious harm summarised"),
]

CASE_QUESTIONS: list[Question] = [
    Question("referral", "Referral", "Timely and complete referral", timeliness=True),
    Question("first_meeting", "Meetings", "Timely first meeting", timeliness=True),
    Question("agencies_attended", "Meetings", "All relevant agencies attended"),
    Question("absent_agencies_reported", "Meetings", "Absent agencies sent reports"),
    Question("minutes_clear", "Meetings", "Minutes clear to someone who was not there"),
    Question("category_and_level", "Records", "Category and level recorded"),
    Question("initial_plan", "Plan", "Initial risk management plan by the lead agency"),
    Question("information_exchanged", "Plan", "Information exchanged and considered"),
    Question("diversity_and_risk", "Plan", "Diversity and risk addressed"),
]

QUESTIONS: dict[str, list[Question]] = {AuditKind.MEETING: MEETING_QUESTIONS, AuditKind.CASE: CASE_QUESTIONS}
ITEM_CHOICES = sorted({(q.key, q.text) for questions in QUESTIONS.values() for q in questions})


def question(kind: str, key: str) -> Question:
    return next(q for q in QUESTIONS[kind] if q.key == key)
