"""Contains all the data models used in inputs/outputs"""

from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .consent_list_security_events_kind_type_0 import ConsentListSecurityEventsKindType0
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .decision_body import DecisionBody
from .decision_body_status import DecisionBodyStatus
from .decision_list import DecisionList
from .decision_list_effective import DecisionListEffective
from .decision_out import DecisionOut
from .field_issue import FieldIssue
from .liveness import Liveness
from .migration import Migration
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

__all__ = (
    "Compliance",
    "ComplianceReplica",
    "ConsentListSecurityEventsKindType0",
    "DeadLetter",
    "DeadLetters",
    "DecisionBody",
    "DecisionBodyStatus",
    "DecisionList",
    "DecisionListEffective",
    "DecisionOut",
    "FieldIssue",
    "Liveness",
    "Migration",
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
)
