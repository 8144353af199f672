"""Contains all the data models used in inputs/outputs"""

from .agreement_obeyed import AgreementObeyed
from .area_concentration import AreaConcentration
from .area_demand import AreaDemand
from .area_profile import AreaProfile
from .area_series import AreaSeries
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .concentration import Concentration
from .concentration_profile import ConcentrationProfile
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .demand_report import DemandReport
from .disclosure_note import DisclosureNote
from .field_issue import FieldIssue
from .get_area_concentration_chart_level import GetAreaConcentrationChartLevel
from .get_area_concentration_level import GetAreaConcentrationLevel
from .get_area_profile_by import GetAreaProfileBy
from .get_area_profile_chart_level import GetAreaProfileChartLevel
from .get_area_profile_level import GetAreaProfileLevel
from .group_series import GroupSeries
from .holdings import Holdings
from .holdings_counts import HoldingsCounts
from .linker_list_security_events_kind_type_0 import LinkerListSecurityEventsKindType0
from .liveness import Liveness
from .lookup_loaded import LookupLoaded
from .migration import Migration
from .population_loaded import PopulationLoaded
from .problem_detail import ProblemDetail
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .readiness_waiting_for import ReadinessWaitingFor
from .revocation import Revocation
from .revocation_body import RevocationBody
from .security_event import SecurityEvent
from .security_event_kind import SecurityEventKind
from .security_event_outcome import SecurityEventOutcome
from .security_event_page import SecurityEventPage
from .security_log_state import SecurityLogState
from .security_log_verification import SecurityLogVerification
from .security_log_verification_problems_item import SecurityLogVerificationProblemsItem
from .subject_access_release import SubjectAccessRelease
from .sweep_body import SweepBody
from .swept import Swept
from .top_share import TopShare

__all__ = (
    "AgreementObeyed",
    "AreaConcentration",
    "AreaDemand",
    "AreaProfile",
    "AreaSeries",
    "Compliance",
    "ComplianceReplica",
    "Concentration",
    "ConcentrationProfile",
    "DeadLetter",
    "DeadLetters",
    "DemandReport",
    "DisclosureNote",
    "FieldIssue",
    "GetAreaConcentrationChartLevel",
    "GetAreaConcentrationLevel",
    "GetAreaProfileBy",
    "GetAreaProfileChartLevel",
    "GetAreaProfileLevel",
    "GroupSeries",
    "Holdings",
    "HoldingsCounts",
    "LinkerListSecurityEventsKindType0",
    "Liveness",
    "LookupLoaded",
    "Migration",
    "PopulationLoaded",
    "ProblemDetail",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReadinessWaitingFor",
    "Revocation",
    "RevocationBody",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityEventOutcome",
    "SecurityEventPage",
    "SecurityLogState",
    "SecurityLogVerification",
    "SecurityLogVerificationProblemsItem",
    "SubjectAccessRelease",
    "SweepBody",
    "Swept",
    "TopShare",
)
