"""Bodies of the transfer and victims' views endpoints (docs/api.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from transfers.models import ActionOutcome, Transfer, TransferredAction
from victims.models import VictimView


class HandoverPeriodSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    category = serializers.IntegerField()
    level = serializers.IntegerField()
    location = serializers.CharField()
    lead_agency = serializers.CharField(source="lead_agency.name")
    change_reason = serializers.CharField()


class LastMinutesSerializer(serializers.Serializer):
    meeting_date = serializers.DateField(source="agenda_item.meeting.meeting_date")
    decision = serializers.CharField()
    rationale = serializers.CharField()
    differing_views = serializers.CharField()
    risk_summary = serializers.CharField()
    supervision = serializers.CharField(source="rmp_supervision")
    monitoring_and_control = serializers.CharField(source="rmp_monitoring_and_control")
    interventions_and_treatment = serializers.CharField(source="rmp_interventions_and_treatment")
    victim_safety_planning = serializers.CharField(source="rmp_victim_safety_planning")
    contingency = serializers.CharField()
    next_review_date = serializers.DateField(allow_null=True)


class PackActionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    heading = serializers.CharField()
    description = serializers.CharField()
    owning_agency = serializers.CharField(source="owning_agency.name")
    due_date = serializers.DateField()
    state = serializers.CharField()


class TransferredActionSerializer(serializers.ModelSerializer):
    action = PackActionSerializer()

    class Meta:
        model = TransferredAction
        fields = ["action", "outcome", "reason"]


class HandoverPackSerializer(serializers.Serializer):
    periods = HandoverPeriodSerializer(many=True)
    last_minutes = LastMinutesSerializer(allow_null=True)
    open_actions = PackActionSerializer(many=True)
    moved_actions = TransferredActionSerializer(many=True)
    closed_actions = TransferredActionSerializer(many=True)


class TransferSerializer(serializers.ModelSerializer):
    individual = serializers.UUIDField(source="individual_id")
    name = serializers.CharField(source="individual.full_name")
    sending_area = serializers.CharField(source="sending_area.slug")
    receiving_area = serializers.CharField(source="receiving_area.slug")
    receiving_lead_agency = serializers.IntegerField(source="receiving_lead_agency_id", allow_null=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "reference",
            "state",
            "individual",
            "name",
            "sending_area",
            "receiving_area",
            "reason",
            "proposed_date",
            "transfer_date",
            "receiving_lead_agency",
            "closing_reason",
            "requested_at",
            "completed_at",
        ]


class TransferDetailSerializer(TransferSerializer):
    handover_pack = serializers.SerializerMethodField(
        help_text="What the receiving area reads of the sending area's records: null for the receiving area"
        " until it accepts."
    )

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "handover_pack"]

    @extend_schema_field(HandoverPackSerializer(allow_null=True))
    def get_handover_pack(self, transfer: Transfer) -> dict[str, Any] | None:
        pack = self.context.get("pack")
        return HandoverPackSerializer(pack).data if pack is not None else None


class TransferRequestSerializer(serializers.Serializer):
    registration = serializers.UUIDField(help_text="The sending area's active registration.")
    receiving_area = serializers.SlugField(help_text="The slug of the area the case moves to.")
    reason = serializers.CharField(help_text="Where the person is moving and why.")
    proposed_date = serializers.DateField()


class TransferAcceptSerializer(serializers.Serializer):
    transfer_date = serializers.DateField(help_text="The date the receiving area takes over.")
    lead_agency = serializers.IntegerField(help_text="The id of the lead agency in the receiving area.")


class TransferReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ActionDecisionSerializer(serializers.Serializer):
    action = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=ActionOutcome.choices)
    reason = serializers.CharField()


class TransferCompleteSerializer(serializers.Serializer):
    actions = ActionDecisionSerializer(
        many=True, help_text="One decision for each open action of the sending registration."
    )


class VictimViewSerializer(serializers.ModelSerializer):
    registration = serializers.UUIDField(source="registration_id")
    meeting = serializers.UUIDField(source="meeting_id", allow_null=True)
    agency = serializers.CharField(source="agency.name")
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")

    class Meta:
        model = VictimView
        fields = ["id", "registration", "meeting", "agency", "recorded_by", "recorded_at", "views", "concerns"]


class VictimViewCreateSerializer(serializers.Serializer):
    registration = serializers.UUIDField()
    views = serializers.CharField()
    concerns = serializers.CharField(required=False, allow_blank=True, default="")
    meeting = serializers.UUIDField(required=False, allow_null=True, default=None)
