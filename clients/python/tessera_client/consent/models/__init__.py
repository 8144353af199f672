"""Contains all the data models used in inputs/outputs"""

from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .consent_healthz_response_consenthealthz import (
    ConsentHealthzResponseConsenthealthz,
)
from .consent_list_dead_letters_response_consentlistdeadletters import (
    ConsentListDeadLettersResponseConsentlistdeadletters,
)
from .consent_list_security_events_kind_type_0 import ConsentListSecurityEventsKindType0
from .consent_release_subject_access_response_consentreleasesubjectaccess import (
    ConsentReleaseSubjectAccessResponseConsentreleasesubjectaccess,
)
from .decision_body import DecisionBody
from .decision_body_status import DecisionBodyStatus
from .decision_list import DecisionList
from .decision_list_effective import DecisionListEffective
from .decision_out import DecisionOut
from .field_issue import FieldIssue
from .migration import Migration
from .problem_detail import ProblemDetail
from .revocation import Revocation
from .revocation_body import RevocationBody
from .security_event import SecurityEvent
from .security_event_kind import SecurityEventKind
from .security_event_outcome import SecurityEventOutcome
from .security_event_page import SecurityEventPage
from .security_log_state import SecurityLogState
from .security_log_verification import SecurityLogVerification
from .security_log_verification_problems_item import SecurityLogVerificationProblemsItem

__all__ = (
    "Compliance",
    "ComplianceReplica",
    "ConsentHealthzResponseConsenthealthz",
    "ConsentListDeadLettersResponseConsentlistdeadletters",
    "ConsentListSecurityEventsKindType0",
    "ConsentReleaseSubjectAccessResponseConsentreleasesubjectaccess",
    "DecisionBody",
    "DecisionBodyStatus",
    "DecisionList",
    "DecisionListEffective",
    "DecisionOut",
    "FieldIssue",
    "Migration",
    "ProblemDetail",
    "Revocation",
    "RevocationBody",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityEventOutcome",
    "SecurityEventPage",
    "SecurityLogState",
    "SecurityLogVerification",
    "SecurityLogVerificationProblemsItem",
)
