"""Pages of the service. The start page is "" (name "home"); everything else is namespaced "web"."""

from django.urls import path

from .views import (
    actions,
    agenda,
    audits,
    cases,
    dashboard,
    governance,
    home,
    indicators,
    level_one,
    meeting_calendar,
    meeting_changes,
    meetings,
    my_meetings,
    referrals,
    registration_details,
    statistics,
    transfers,
    victims,
)
from .views import release_planning as releases

app_name = "web"

urlpatterns = [
    path("accessibility/", home.accessibility, name="accessibility"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    # Referrals (MAPPA A)
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("referrals/new/", referrals.referral_find, name="referral_find"),
    path("referrals/new/person/", referrals.referral_start, name="referral_start"),
    path("referrals/<uuid:pk>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<uuid:pk>/questions/<slug:step>/", referrals.referral_step, name="referral_step"),
    path("referrals/<uuid:pk>/check/", referrals.referral_check, name="referral_check"),
    path("referrals/<uuid:pk>/sent/", referrals.referral_sent, name="referral_sent"),
    path("referrals/<uuid:pk>/discard/", referrals.referral_discard, name="referral_discard"),
    path("referrals/<uuid:pk>/screen/", referrals.referral_screen, name="referral_screen"),
    # Cases
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<uuid:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<uuid:pk>/level/", cases.case_change_level, name="case_change_level"),
    path("cases/<uuid:pk>/events/new/", cases.case_record_event, name="case_record_event"),
    path("cases/<uuid:pk>/officer/", registration_details.case_officer, name="case_officer"),
    path("cases/<uuid:pk>/victims/", victims.case_victim_views, name="case_victim_views"),
    path("cases/<uuid:pk>/transfer/", transfers.case_transfer, name="case_transfer"),
    # Transfers between areas
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/<uuid:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:pk>/accept/", transfers.transfer_accept, name="transfer_accept"),
    path("transfers/<uuid:pk>/decline/", transfers.transfer_decline, name="transfer_decline"),
    path("transfers/<uuid:pk>/withdraw/", transfers.transfer_withdraw, name="transfer_withdraw"),
    path("transfers/<uuid:pk>/complete/", transfers.transfer_complete, name="transfer_complete"),
    path("cases/<uuid:pk>/release/new/", releases.release_plan_start, name="case_release_plan_start"),
    path("cases/<uuid:pk>/notifications/new/", releases.third_party_notification_add, name="case_notification_add"),
    path("cases/<uuid:pk>/level-1-review/", level_one.level_one_review, name="case_level_one_review"),
    # Between meetings: releases, notifications, sharing minutes, Level 1 (docs/between-meetings.md)
    path("releases/", releases.release_list, name="release_list"),
    path("releases/<uuid:pk>/", releases.release_plan, name="release_plan"),
    path("releases/<uuid:pk>/date/", releases.release_plan_date, name="release_plan_date"),
    path("releases/<uuid:pk>/level/", releases.release_plan_level, name="release_plan_level"),
    path("releases/<uuid:pk>/close/", releases.release_plan_close, name="release_plan_close"),
    path("releases/<uuid:pk>/items/<slug:item>/", releases.release_plan_item, name="release_plan_item"),
    path(
        "notifications/<uuid:pk>/acknowledge/",
        releases.third_party_notification_acknowledge,
        name="notification_acknowledge",
    ),
    path("sharing-requests/<uuid:pk>/decide/", releases.sharing_request_decide, name="sharing_request_decide"),
    path("level-1/", level_one.level_one_register, name="level_one_register"),
    # Meetings
    path("meetings/", meeting_calendar.meeting_list, name="meeting_list"),
    path("meetings/month/", meeting_calendar.meeting_month, name="meeting_month"),
    path("meetings/schedule/", meetings.schedule_start, name="meeting_schedule"),
    path("meetings/schedule/cases/", meetings.schedule_cases, name="meeting_schedule_cases"),
    path("meetings/schedule/check/", meetings.schedule_check, name="meeting_schedule_check"),
    path("meetings/<uuid:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<uuid:pk>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<uuid:pk>/minutes.pdf", meetings.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<uuid:pk>/cases/<int:item_id>/", meetings.case_minutes, name="meeting_case_minutes"),
    path("meetings/<uuid:pk>/cases/<int:item_id>/actions/", meetings.case_action_add, name="meeting_case_action_add"),
    path("meetings/<uuid:pk>/cases/<int:item_id>/amend/", meetings.case_minutes_amend, name="meeting_case_amend"),
    path(
        "meetings/<uuid:pk>/cases/<int:item_id>/disclosures/new/",
        meetings.disclosure_add,
        name="meeting_case_disclosure_add",
    ),
    path(
        "meetings/<uuid:pk>/cases/<int:item_id>/sharing-requests/new/",
        releases.sharing_request_add,
        name="meeting_case_sharing_request_add",
    ),
    path("meetings/<uuid:pk>/cases/<int:item_id>/remove/", meetings.agenda_remove, name="meeting_agenda_remove"),
    path("meetings/<uuid:pk>/invite/", meetings.meeting_invite, name="meeting_invite"),
    path("meetings/<uuid:pk>/attendance/add/", meetings.attendance_add, name="meeting_attendance_add"),
    path(
        "meetings/<uuid:pk>/attendance/<int:attendance_id>/remove/",
        meetings.attendance_remove,
        name="meeting_attendance_remove",
    ),
    # A scheduled meeting's life, its agenda and papers, and the invited agencies' side of it
    path("meetings/mine/", my_meetings.my_meetings, name="my_meetings"),
    path("meetings/<uuid:pk>/add-cases/", meeting_changes.meeting_add_cases, name="meeting_add_cases"),
    path("meetings/<uuid:pk>/reschedule/", meeting_changes.meeting_reschedule, name="meeting_reschedule"),
    path("meetings/<uuid:pk>/cancel/", meeting_changes.meeting_cancel, name="meeting_cancel"),
    path("meetings/<uuid:pk>/arrangements/", meeting_changes.meeting_arrangements, name="meeting_arrangements"),
    path(
        "meetings/<uuid:pk>/reports/ask/<int:agency_id>/",
        meeting_changes.meeting_chase_reports,
        name="meeting_chase_reports",
    ),
    path("meetings/<uuid:pk>/agenda/", agenda.meeting_agenda, name="meeting_agenda"),
    path("meetings/<uuid:pk>/agenda.pdf", agenda.meeting_agenda_pdf, name="meeting_agenda_pdf"),
    path("meetings/<uuid:pk>/cases/<int:item_id>/report/", agenda.agency_report, name="meeting_agency_report"),
    path("meetings/<uuid:pk>/reports/<uuid:report_id>/", agenda.agency_report_detail, name="meeting_report_detail"),
    path(
        "meetings/<uuid:pk>/reports/<uuid:report_id>/document/",
        agenda.agency_report_attachment,
        name="meeting_report_attachment",
    ),
    path("meetings/<uuid:pk>/confirm-attendance/", my_meetings.attendance_confirm, name="meeting_confirm_attendance"),
    path(
        "meetings/<uuid:pk>/cases/<int:item_id>/minutes/",
        my_meetings.case_minutes_read,
        name="meeting_case_minutes_read",
    ),
    path("meetings/<uuid:pk>/<slug:action>/", meetings.meeting_transition, name="meeting_transition"),
    # Actions
    path("actions/", actions.action_list, name="action_list"),
    path("actions/<uuid:pk>/", actions.action_detail, name="action_detail"),
    # Statistics: aggregates only
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/download/<slug:fmt>/", statistics.statistics_download, name="statistics_download"),
    path("statistics/exports/", statistics.export_list, name="statistics_exports"),
    path("statistics/exports/<uuid:pk>/download/", statistics.export_download, name="statistics_export_download"),
    # Performance indicators for the SMB: aggregates only
    path("indicators/", indicators.indicators_page, name="indicators"),
    path("indicators/indicators.csv", indicators.indicators_csv, name="indicators_csv"),
    path("indicators/indicators.xlsx", indicators.indicators_xlsx, name="indicators_xlsx"),
    path("indicators/indicators.pdf", indicators.indicators_pdf, name="indicators_pdf"),
    path("indicators/<slug:indicator>/", indicators.indicator_records, name="indicator_records"),
    # Meeting (MAPPA L) and case audits: the sample and the forms for auditors, averages for the SMB
    path("audits/", audits.audit_list, name="audits"),
    path("audits/results/", audits.audit_results_page, name="audit_results"),
    path("audits/<uuid:pk>/", audits.audit_detail, name="audit_detail"),
    path("audits/meetings/<uuid:pk>/start/", audits.meeting_audit_start, name="meeting_audit_start"),
    path("audits/cases/<uuid:pk>/start/", audits.case_audit_start, name="case_audit_start"),
    # The SMB's own governance: its meetings, members and lay advisers (names board members, never a case)
    path("smb/governance/", governance.smb_governance, name="smb_governance"),
]
