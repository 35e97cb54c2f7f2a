"""What the API shows and accepts for release plans, third-party notifications, requests to share minutes
and Level 1 reviews. Shapes only (types, choices, lengths); the services apply the rules."""

from __future__ import annotations

from rest_framework import serializers

from level_one.models import LevelOneReview
from release_planning.models import (
    ChecklistItem,
    ChecklistItemKind,
    RecipientType,
    ReleaseDateChange,
    ReleasePlan,
    SharingRequest,
    ThirdPartyNotification,
)
from release_planning.services import CLOSE_OUTCOMES, SHARING_OUTCOMES

from .serializers import PersonSummarySerializer


class ChecklistItemSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = ChecklistItem
        fields = ["kind", "label", "due_date", "completed_on", "notes"]


class ReleaseDateChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleaseDateChange
        fields = ["previous_date", "new_date", "changed_on", "reason"]


class ReleasePlanSerializer(serializers.ModelSerializer):
    individual = PersonSummarySerializer(read_only=True)
    lead_agency = serializers.CharField(source="lead_agency.name", read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)
    date_changes = ReleaseDateChangeSerializer(many=True, read_only=True)

    class Meta:
        model = ReleasePlan
        fields = [
            "id",
            "individual",
            "kind",
            "state",
            "expected_date",
            "lead_agency",
            "level_decision_due",
            "decided_level",
            "level_decided_on",
            "level_rationale",
            "closed_on",
            "closing_note",
            "items",
            "date_changes",
        ]


class ReleasePlanCreateSerializer(serializers.Serializer):
    individual = serializers.UUIDField()
    expected_date = serializers.DateField()


class ReleaseDateSerializer(serializers.Serializer):
    expected_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    changed_on = serializers.DateField(required=False)


class ReleaseLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=[1, 2, 3])
    rationale = serializers.CharField(max_length=5000)
    decided_on = serializers.DateField(required=False)


class ChecklistItemCompleteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChecklistItemKind.choices)
    notes = serializers.CharField(max_length=2000)
    completed_on = serializers.DateField(required=False)


class ReleasePlanCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(CLOSE_OUTCOMES))
    note = serializers.CharField(max_length=2000)
    closed_on = serializers.DateField(required=False)


class ThirdPartyNotificationSerializer(serializers.ModelSerializer):
    individual = PersonSummarySerializer(read_only=True)
    sent_by_agency = serializers.CharField(source="sent_by_agency.name", read_only=True)

    class Meta:
        model = ThirdPartyNotification
        fields = [
            "id",
            "individual",
            "release_plan",
            "recipient_type",
            "recipient",
            "what_was_shared",
            "why_necessary",
            "lawful_basis",
            "why_proportionate",
            "recipient_undertaking",
            "individual_told",
            "why_individual_not_told",
            "sent_on",
            "sent_by_agency",
            "state",
            "acknowledged_on",
        ]


class ThirdPartyNotificationCreateSerializer(serializers.Serializer):
    individual = serializers.UUIDField()
    release_plan = serializers.UUIDField(required=False)
    completes_item = serializers.ChoiceField(choices=ChecklistItemKind.choices, required=False)
    recipient_type = serializers.ChoiceField(choices=RecipientType.choices)
    recipient = serializers.CharField(max_length=200)
    what_was_shared = serializers.CharField(max_length=5000)
    why_necessary = serializers.CharField(max_length=5000)
    lawful_basis = serializers.CharField(max_length=5000)
    why_proportionate = serializers.CharField(max_length=5000)
    recipient_undertaking = serializers.CharField(max_length=5000)
    individual_told = serializers.BooleanField()
    why_individual_not_told = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    sent_on = serializers.DateField()


class AcknowledgeSerializer(serializers.Serializer):
    acknowledged_on = serializers.DateField(required=False)


class SharingRequestSerializer(serializers.ModelSerializer):
    individual = PersonSummarySerializer(read_only=True)
    meeting = serializers.UUIDField(source="agenda_item.meeting_id", read_only=True)

    class Meta:
        model = SharingRequest
        fields = [
            "id",
            "individual",
            "meeting",
            "agenda_item",
            "requested_by",
            "purpose",
            "requested_on",
            "state",
            "decided_on",
            "decision_reason",
        ]


class SharingRequestCreateSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    requested_by = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=5000)
    requested_on = serializers.DateField(required=False)


class SharingDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(SHARING_OUTCOMES))
    reason = serializers.CharField(max_length=5000)
    decided_on = serializers.DateField(required=False)


class LevelOneReviewSerializer(serializers.ModelSerializer):
    individual = PersonSummarySerializer(read_only=True)
    lead_agency = serializers.CharField(source="lead_agency.name", read_only=True)
    referral = serializers.CharField(source="referral.reference", read_only=True, default=None)

    class Meta:
        model = LevelOneReview
        fields = [
            "id",
            "individual",
            "lead_agency",
            "reviewed_on",
            "risk_changed",
            "plan_robust",
            "refer_to_level_2",
            "notes",
            "next_review_due",
            "referral",
        ]


class LevelOneReviewCreateSerializer(serializers.Serializer):
    individual = serializers.UUIDField()
    reviewed_on = serializers.DateField()
    risk_changed = serializers.BooleanField()
    plan_robust = serializers.BooleanField()
    refer_to_level_2 = serializers.BooleanField()
    notes = serializers.CharField(max_length=5000)
