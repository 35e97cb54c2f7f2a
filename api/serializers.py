"""What the API shows and accepts. Serializers check the shape of input only (types, choices,
lengths); every rule of the workflow is the services' to apply, so pages and API agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mappa_workflow.models import Agency, Area, Seniority, User
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingType,
    RiskAction,
    RiskActionUpdate,
)
from meetings.services import CLOSE_OUTCOMES
from need_to_know.selectors import invitations_as_seen_by
from referrals.models import Individual, Referral, Registration, RegistrationPeriod
from referrals.services import INDIVIDUAL_FIELDS, REFERRAL_ANSWER_FIELDS, ScreeningDecision

MAX_ID = 2**31 - 1  # the largest id any supported database column holds
# Far enough for any real meeting, near enough that date arithmetic can never overflow.
LATEST_MEETING = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------------
# Small shared pieces
# ---------------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "agency_type"]


class PersonSummarySerializer(serializers.ModelSerializer):
    """Who a record is about, in a list."""

    class Meta:
        model = Individual
        fields = ["id", "given_names", "family_name", "date_of_birth"]


class UserSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "job_title"]


# ---------------------------------------------------------------------------------------------
# Individuals
# ---------------------------------------------------------------------------------------------


class CurrentRegistrationSerializer(serializers.ModelSerializer):
    """The person's active MAPPA registration with the category, level and location in force now."""

    level = serializers.IntegerField(read_only=True, allow_null=True)
    category = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "status",
            "level",
            "category",
            "location",
            "started_on",
            "first_meeting_due",
            "next_review_due",
        ]

    def _open_period(self, registration: Registration) -> RegistrationPeriod | None:
        periods = getattr(registration, "open_periods", None)
        if periods is None:
            periods = list(registration.periods.filter(end_date__isnull=True))
        return periods[0] if periods else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_category(self, registration: Registration) -> int | None:
        period = self._open_period(registration)
        return period.category if period else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_location(self, registration: Registration) -> str | None:
        period = self._open_period(registration)
        return period.location if period else None


class IndividualSerializer(serializers.ModelSerializer):
    area: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    aliases = serializers.SerializerMethodField()
    registration = serializers.SerializerMethodField()

    class Meta:
        model = Individual
        fields = ["id", "area", *INDIVIDUAL_FIELDS, "aliases", "registration", "created_at"]

    def get_aliases(self, individual: Individual) -> list[str]:
        return sorted(alias.name for alias in individual.aliases.all())

    @extend_schema_field(CurrentRegistrationSerializer(allow_null=True))
    def get_registration(self, individual: Individual) -> dict[str, Any] | None:
        active = getattr(individual, "active_registrations", None)
        if active is None:
            active = list(individual.registrations.active().prefetch_related("periods"))
        return CurrentRegistrationSerializer(active[0]).data if active else None


class NewIndividualSerializer(serializers.ModelSerializer):
    """A person not yet known to MAPPA, recorded with the referral about them."""

    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=20
    )

    class Meta:
        model = Individual
        fields = [*INDIVIDUAL_FIELDS, "aliases"]
        # The service runs the model's own validation (references, dates); checking uniqueness here
        # would need a query per field for no gain.
        validators: list = []


# ---------------------------------------------------------------------------------------------
# Referrals
# ---------------------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    area: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    individual = PersonSummarySerializer(read_only=True)
    referring_agency = AgencySerializer(read_only=True)
    missing_for_submission = serializers.SerializerMethodField(
        help_text="Mandatory MAPPA A answers not yet given, as field -> message (empty when complete)."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "area",
            "state",
            "individual",
            *REFERRAL_ANSWER_FIELDS,
            "referring_agency",
            "missing_for_submission",
            "submitted_at",
            "more_information_request",
            "decided_on",
            "decision_rationale",
            "withdrawal_reason",
            "registration",
            "first_meeting_due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_missing_for_submission(self, referral: Referral) -> dict[str, str]:
        return referral.missing_for_submission()


class ReferralAnswersSerializer(serializers.ModelSerializer):
    """The MAPPA A answers a referrer gives (all optional until submission)."""

    class Meta:
        model = Referral
        fields = list(REFERRAL_ANSWER_FIELDS)
        extra_kwargs = {name: {"required": False} for name in REFERRAL_ANSWER_FIELDS}
        validators: list = []


class ReferralCreateSerializer(ReferralAnswersSerializer):
    individual = serializers.UUIDField(
        required=False, help_text="A person you can already see. Give this or `person`, not both."
    )
    person = NewIndividualSerializer(required=False, help_text="A person not yet recorded.")
    referring_agency = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The referring agency's id (default: your own agency)."
    )

    class Meta(ReferralAnswersSerializer.Meta):
        fields = ["individual", "person", "referring_agency", *REFERRAL_ANSWER_FIELDS]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("individual" in attrs) == ("person" in attrs):
            raise serializers.ValidationError(
                {"individual": "Give either the id of a person already recorded (individual) or a new person"}
            )
        return attrs


class SubmitSerializer(serializers.Serializer):
    submitted_on = serializers.DateField(
        required=False, help_text="For a referral received earlier (by email, say): the day it arrived."
    )


class RequestMoreInformationSerializer(serializers.Serializer):
    request = serializers.CharField(help_text="What the referrer must add before screening.")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ScreeningDecision.CHOICES)
    rationale = serializers.CharField()
    decided_on = serializers.DateField(required=False, help_text="Default: today.")
    why_level_2_cannot_manage = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed for a Level 3 decision if the referral does not say."
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    area: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    chair = UserSummarySerializer(read_only=True)
    case_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "area",
            "meeting_type",
            "state",
            "starts_at",
            "duration_minutes",
            "ends_at",
            "venue",
            "video_link",
            "chair",
            "case_count",
            "held_at",
            "minutes_approved_at",
            "cancellation_reason",
        ]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    individual = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["position", "kind", "referral", "registration", "individual"]

    @extend_schema_field(PersonSummarySerializer(allow_null=True))
    def get_individual(self, item: AgendaItem) -> dict[str, Any] | None:
        person = item.individual
        return PersonSummarySerializer(person).data if person is not None else None


class AttendanceSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["agency", "status", "name", "role", "seniority", "confidentiality_acknowledged_at"]


class InvitationSerializer(serializers.Serializer):
    """An invitation as the caller may see it (``need_to_know.selectors.invitations_as_seen_by``): a case need
    names only the people on the agenda now whom the caller may see."""

    agency = AgencySerializer(read_only=True)
    reason = serializers.CharField(read_only=True)


class MeetingDetailSerializer(MeetingSerializer):
    agenda = serializers.SerializerMethodField()
    attendance = AttendanceSerializer(many=True, read_only=True)
    invitations = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "attendance", "invitations"]
        read_only_fields = fields

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]]:
        items = self.context.get("agenda_items")
        if items is None:
            items = list(meeting.agenda_items.all())
        return AgendaItemSerializer(items, many=True).data  # type: ignore[return-value]  # a ReturnList with many=True; the stubs say ReturnDict

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, meeting: Meeting) -> list[dict[str, Any]]:
        request = self.context.get("request")
        shown = invitations_as_seen_by(meeting, getattr(request, "user", None))
        return InvitationSerializer(shown, many=True).data  # type: ignore[return-value]  # as get_agenda


def _before_latest_meeting(value: dt.datetime) -> dt.datetime:
    if value >= LATEST_MEETING:
        raise serializers.ValidationError("The meeting must be before the year 2100")
    return value


class MeetingScheduleSerializer(serializers.Serializer):
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices)
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with an offset; a time without one is UK time.")
    duration_minutes = serializers.IntegerField(default=120, min_value=1, max_value=24 * 60)
    chair = serializers.UUIDField(help_text="The id of a chair of your area.")
    venue = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    video_link = serializers.URLField(required=False, allow_blank=True, default="")
    registrations = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=100, help_text="Cases to review."
    )
    referrals = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        default=None,
        max_length=100,
        help_text="Referrals to screen. For a threshold meeting, leave out to take every referral awaiting screening.",
    )

    def validate_starts_at(self, value: dt.datetime) -> dt.datetime:
        return _before_latest_meeting(value)


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the meeting is cancelled (sent to the invited agencies).")


class MeetingRescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        help_text="The new time: ISO 8601 with an offset; a time without one is UK time."
    )
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=24 * 60, help_text="Default: unchanged."
    )
    reason = serializers.CharField(help_text="Why the meeting is moved.")

    def validate_starts_at(self, value: dt.datetime) -> dt.datetime:
        return _before_latest_meeting(value)


class AttendanceEntrySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    agency = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None, help_text="Agency id."
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    role = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    seniority = serializers.ChoiceField(choices=Seniority.choices, required=False, allow_null=True, default=None)
    confidentiality_acknowledged = serializers.BooleanField(
        required=False, default=False, help_text="Has read and acknowledged the confidentiality statement (MAPPA D)."
    )


class AttendanceRecordSerializer(serializers.Serializer):
    attendance = AttendanceEntrySerializer(many=True, max_length=100)  # type: ignore[call-arg]  # passed to the ListSerializer many=True makes; not in the stubs


# ---------------------------------------------------------------------------------------------
# Risk management actions
# ---------------------------------------------------------------------------------------------


class ActionUpdateSerializer(serializers.ModelSerializer):
    written_by = serializers.SerializerMethodField()

    class Meta:
        model = RiskActionUpdate
        fields = ["written_at", "written_by", "text", "state_after"]

    def get_written_by(self, update: RiskActionUpdate) -> str:
        return str(update.written_by) if update.written_by_id else "system"


class ActionSerializer(serializers.ModelSerializer):
    owning_agency = AgencySerializer(read_only=True)
    individual = PersonSummarySerializer(source="registration.individual", read_only=True)
    meeting = serializers.SerializerMethodField()
    update_count = serializers.IntegerField(read_only=True, help_text="Entries in the update log.")

    class Meta:
        model = RiskAction
        fields = [
            "id",
            "heading",
            "description",
            "owning_agency",
            "officer_name",
            "due_date",
            "state",
            "completed_on",
            "closed_reason",
            "registration",
            "individual",
            "meeting",
            "update_count",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.UUID)
    def get_meeting(self, action: RiskAction) -> str:
        return str(action.case_minutes.agenda_item.meeting_id)


class ActionDetailSerializer(ActionSerializer):
    updates = ActionUpdateSerializer(many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "updates"]
        read_only_fields = fields


class ActionNoteSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The progress note, as the owning agency would write it.")


class ActionStartSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ActionCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What was done.")
    completed_on = serializers.DateField(required=False, help_text="Default: today.")


class ActionCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(state.value, state.label) for state in CLOSE_OUTCOMES],
        help_text="closed_not_possible: not possible, circumstances changed; closed_not_done: not done by the agency.",
    )
    reason = serializers.CharField(help_text="Why the action was not completed.")


# ---------------------------------------------------------------------------------------------
# Statistics (documentation of the body only: it is AnnualReport.as_dict())
# ---------------------------------------------------------------------------------------------


class StatisticsRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: the metaclass takes it off the class


class StatisticsTableSerializer(serializers.Serializer):
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    columns = serializers.DictField(child=serializers.CharField(), help_text="Column key -> heading.")
    rows = serializers.DictField(
        child=serializers.DictField(),
        help_text="Row key -> {label, <column key>: figure}. A figure is a count, '*' where suppressed "
        "(small numbers), '' where there is nothing to show, or null where the cell cannot exist ('-').",
    )


class PeriodSerializer(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class AnnualStatisticsSerializer(serializers.Serializer):
    title = serializers.CharField()
    areas = serializers.ListField(child=serializers.CharField())
    year = serializers.IntegerField(help_text="The reporting year's start: 2024 is 2024/25.")
    reporting_year = serializers.CharField()
    period = PeriodSerializer()
    suppression_threshold = serializers.IntegerField()
    tables = serializers.DictField(child=StatisticsTableSerializer())
