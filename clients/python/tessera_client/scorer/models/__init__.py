"""Contains all the data models used in inputs/outputs"""

from .agreement_obeyed import AgreementObeyed
from .allocation import Allocation
from .allocation_state import AllocationState
from .area_count import AreaCount
from .calibration import Calibration
from .claim_row import ClaimRow
from .claims_report import ClaimsReport
from .closest import Closest
from .closest_state import ClosestState
from .code_selection import CodeSelection
from .code_selection_categories_item import CodeSelectionCategoriesItem
from .code_selection_headlines_type_0_item import CodeSelectionHeadlinesType0Item
from .code_selection_indicators_type_0 import CodeSelectionIndicatorsType0
from .coded_event import CodedEvent
from .complex_ import Complex
from .complex_state import ComplexState
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .conditions import Conditions
from .current import Current
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .disclosure_note import DisclosureNote
from .family import Family
from .family_state import FamilyState
from .field_issue import FieldIssue
from .get_calibration_chart_kind import GetCalibrationChartKind
from .headline_threshold import HeadlineThreshold
from .history import History
from .history_baseline import HistoryBaseline
from .history_state import HistoryState
from .holdings import Holdings
from .holdings_counts import HoldingsCounts
from .journey_overview import JourneyOverview
from .json_schema import JsonSchema
from .liveness import Liveness
from .measure import Measure
from .measure_count import MeasureCount
from .measure_headline_type_0 import MeasureHeadlineType0
from .measure_request import MeasureRequest
from .measured import Measured
from .met_measure import MetMeasure
from .migration import Migration
from .month_measured import MonthMeasured
from .month_measured_counts import MonthMeasuredCounts
from .outcomes import Outcomes
from .problem_detail import ProblemDetail
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .readiness_waiting_for import ReadinessWaitingFor
from .rescore import Rescore
from .rescore_status import RescoreStatus
from .rescore_status_chunks import RescoreStatusChunks
from .revocation import Revocation
from .revocation_body import RevocationBody
from .rule_document import RuleDocument
from .rule_document_level import RuleDocumentLevel
from .scorer_list_security_events_kind_type_0 import ScorerListSecurityEventsKindType0
from .security_event import SecurityEvent
from .security_event_kind import SecurityEventKind
from .security_event_outcome import SecurityEventOutcome
from .security_event_page import SecurityEventPage
from .security_log_state import SecurityLogState
from .security_log_verification import SecurityLogVerification
from .security_log_verification_problems_item import SecurityLogVerificationProblemsItem
from .state_change import StateChange
from .state_change_state import StateChangeState
from .state_count import StateCount
from .step import Step
from .step_state import StepState
from .stored_rule import StoredRule
from .stored_rule_level import StoredRuleLevel
from .subject_access_release import SubjectAccessRelease
from .sweep_body import SweepBody
from .swept import Swept
from .threshold import Threshold
from .weights import Weights
from .window import Window

__all__ = (
    "AgreementObeyed",
    "Allocation",
    "AllocationState",
    "AreaCount",
    "Calibration",
    "ClaimRow",
    "ClaimsReport",
    "Closest",
    "ClosestState",
    "CodeSelection",
    "CodeSelectionCategoriesItem",
    "CodeSelectionHeadlinesType0Item",
    "CodeSelectionIndicatorsType0",
    "CodedEvent",
    "Complex",
    "ComplexState",
    "Compliance",
    "ComplianceReplica",
    "Conditions",
    "Current",
    "DeadLetter",
    "DeadLetters",
    "DisclosureNote",
    "Family",
    "FamilyState",
    "FieldIssue",
    "GetCalibrationChartKind",
    "HeadlineThreshold",
    "History",
    "HistoryBaseline",
    "HistoryState",
    "Holdings",
    "HoldingsCounts",
    "JourneyOverview",
    "JsonSchema",
    "Liveness",
    "Measure",
    "MeasureCount",
    "MeasureHeadlineType0",
    "MeasureRequest",
    "Measured",
    "MetMeasure",
    "Migration",
    "MonthMeasured",
    "MonthMeasuredCounts",
    "Outcomes",
    "ProblemDetail",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReadinessWaitingFor",
    "Rescore",
    "RescoreStatus",
    "RescoreStatusChunks",
    "Revocation",
    "RevocationBody",
    "RuleDocument",
    "RuleDocumentLevel",
    "ScorerListSecurityEventsKindType0",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityEventOutcome",
    "SecurityEventPage",
    "SecurityLogState",
    "SecurityLogVerification",
    "SecurityLogVerificationProblemsItem",
    "StateChange",
    "StateChangeState",
    "StateCount",
    "Step",
    "StepState",
    "StoredRule",
    "StoredRuleLevel",
    "SubjectAccessRelease",
    "SweepBody",
    "Swept",
    "Threshold",
    "Weights",
    "Window",
)
