"""Contains all the data models used in inputs/outputs"""

from .access_log_entry import AccessLogEntry
from .access_log_verification import AccessLogVerification
from .access_log_verification_copies import AccessLogVerificationCopies
from .agreement_obeyed import AgreementObeyed
from .case_body import CaseBody
from .case_body_requester import CaseBodyRequester
from .case_out import CaseOut
from .cohort_member import CohortMember
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .field_issue import FieldIssue
from .holdings import Holdings
from .holdings_counts import HoldingsCounts
from .liveness import Liveness
from .local_record import LocalRecord
from .migration import Migration
from .own_unlock import OwnUnlock
from .partner_lookup_reply import PartnerLookupReply
from .problem_detail import ProblemDetail
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .readiness_waiting_for import ReadinessWaitingFor
from .reidentify_list_security_events_kind_type_0 import (
    ReidentifyListSecurityEventsKindType0,
)
from .revocation import Revocation
from .revocation_body import RevocationBody
from .security_event import SecurityEvent
from .security_event_kind import SecurityEventKind
from .security_event_outcome import SecurityEventOutcome
from .security_event_page import SecurityEventPage
from .security_log_state import SecurityLogState
from .security_log_verification import SecurityLogVerification
from .security_log_verification_problems_item import SecurityLogVerificationProblemsItem
from .subject import Subject
from .subject_access_release import SubjectAccessRelease
from .sweep_body import SweepBody
from .swept import Swept
from .unlock_body import UnlockBody
from .unlock_reply import UnlockReply

__all__ = (
    "AccessLogEntry",
    "AccessLogVerification",
    "AccessLogVerificationCopies",
    "AgreementObeyed",
    "CaseBody",
    "CaseBodyRequester",
    "CaseOut",
    "CohortMember",
    "Compliance",
    "ComplianceReplica",
    "DeadLetter",
    "DeadLetters",
    "FieldIssue",
    "Holdings",
    "HoldingsCounts",
    "Liveness",
    "LocalRecord",
    "Migration",
    "OwnUnlock",
    "PartnerLookupReply",
    "ProblemDetail",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReadinessWaitingFor",
    "ReidentifyListSecurityEventsKindType0",
    "Revocation",
    "RevocationBody",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityEventOutcome",
    "SecurityEventPage",
    "SecurityLogState",
    "SecurityLogVerification",
    "SecurityLogVerificationProblemsItem",
    "Subject",
    "SubjectAccessRelease",
    "SweepBody",
    "Swept",
    "UnlockBody",
    "UnlockReply",
)
