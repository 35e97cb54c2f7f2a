"""The body of the performance indicators endpoint (docs/api.md), for the schema: it is ``oversight.exports.as_dict``,
the figures of the page `/indicators/` and its downloads, suppressed the same way.

Documentation of the body only, as for the annual statistics (``AnnualStatisticsSerializer``): the view returns
the dictionary itself, and ``oversight/tests/test_api.py`` checks it against the schema these produce.
"""

from __future__ import annotations

from rest_framework import serializers

from oversight.figures import Rag

PERIOD_KEYS = "q1, q2, q3, q4 (the quarters) and year"


class IndicatorPeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=f"One of {PERIOD_KEYS}: the keys of every figure and count below.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: the metaclass takes it off the class
    start = serializers.DateField()
    end = serializers.DateField(help_text="The period's last day.")


class IndicatorFigureSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(
        help_text="Suppressed as small numbers (the page's '*'): every count and the percentage are then null."
    )
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True, help_text="0 when there was nothing to measure ('-').")
    percent = serializers.FloatField(
        allow_null=True, help_text="One decimal place; null when hidden or nothing to measure."
    )
    status = serializers.ChoiceField(
        choices=[Rag.GREEN, Rag.AMBER, Rag.RED],
        allow_blank=True,
        help_text="Red, amber or green against the area's target; blank when hidden or nothing to measure.",
    )
    median_working_days = serializers.FloatField(
        allow_null=True, help_text="Screening only: the median working days from received to decided."
    )
    parts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Attendance and actions only: the count of each outcome (empty when hidden).",
    )


class IndicatorTargetSerializer(serializers.Serializer):
    green_percent = serializers.IntegerField()
    amber_percent = serializers.IntegerField()


class IndicatorRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    figures = serializers.DictField(
        child=IndicatorFigureSerializer(), help_text=f"Period key ({PERIOD_KEYS}) -> figure."
    )


class IndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="The indicator's key (docs/indicators.md), e.g. screening.")
    title = serializers.CharField()
    numerator = serializers.CharField(help_text="What the numerator counts.")
    denominator = serializers.CharField(help_text="What the denominator counts.")
    target = IndicatorTargetSerializer()
    rows = IndicatorRowSerializer(many=True)


class CountCellSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(help_text="Suppressed as a small number (the page's '*'): count is then null.")
    count = serializers.IntegerField(allow_null=True)


class CountRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    counts = serializers.DictField(child=CountCellSerializer(), help_text=f"Period key ({PERIOD_KEYS}) -> count.")


class CountTableSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="level_changes, exits or level_3_stays (movement); referrals_by_gender, referrals_by_age, "
        "referrals_by_ethnicity_recorded or decisions_by_level_and_gender (diversity)."
    )
    title = serializers.CharField()
    counted = serializers.CharField(help_text="What each count counts, and on which date it falls.")
    rows = CountRowSerializer(many=True)


class MedianCellSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(help_text="Hidden with the count of stays it is the median of.")
    median_days = serializers.FloatField(
        allow_null=True, help_text="Calendar days, of the stays that ended in the period; null when none did or hidden."
    )


class MovementSerializer(serializers.Serializer):
    tables = CountTableSerializer(many=True)
    level_3_median_days = serializers.DictField(
        child=MedianCellSerializer(), help_text=f"Period key ({PERIOD_KEYS}) -> the median stay at Level 3."
    )


class DiversitySerializer(serializers.Serializer):
    tables = CountTableSerializer(many=True)


class IndicatorsSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="The area's slug.")
    year = serializers.IntegerField(help_text="The reporting year's start: 2025 is 2025/26.")
    suppression_threshold = serializers.IntegerField(
        help_text="The area's threshold: counts from 1 to this are hidden, with any cell that would give them away."
    )
    periods = IndicatorPeriodSerializer(many=True)
    indicators = IndicatorSerializer(many=True)
    movement = MovementSerializer(help_text="Level changes, exits by reason and stays at Level 3, by period.")
    diversity = DiversitySerializer(
        help_text="Referrals received by gender, age band and whether ethnicity was recorded; decisions by level and "
        "gender, by period."
    )
