"""Contains all the data models used in inputs/outputs"""

from .active_model import ActiveModel
from .agreement_obeyed import AgreementObeyed
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .field_evidence import FieldEvidence
from .field_issue import FieldIssue
from .holdings import Holdings
from .holdings_counts import HoldingsCounts
from .learning_job import LearningJob
from .learning_job_seconds import LearningJobSeconds
from .learning_job_stage import LearningJobStage
from .learning_job_state import LearningJobState
from .learning_status import LearningStatus
from .list_review_pairs_status_type_0 import ListReviewPairsStatusType0
from .liveness import Liveness
from .migration import Migration
from .model_check import ModelCheck
from .postcodes_loaded import PostcodesLoaded
from .problem_detail import ProblemDetail
from .pseudonymiser_list_security_events_kind_type_0 import (
    PseudonymiserListSecurityEventsKindType0,
)
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .readiness_waiting_for import ReadinessWaitingFor
from .review_decision import ReviewDecision
from .review_decision_decision import ReviewDecisionDecision
from .review_outcome import ReviewOutcome
from .review_pair_out import ReviewPairOut
from .review_pair_out_band import ReviewPairOutBand
from .review_pair_out_resolution_type_0 import ReviewPairOutResolutionType0
from .review_pair_out_status import ReviewPairOutStatus
from .review_record import ReviewRecord
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
from .subject_match import SubjectMatch
from .subject_matches import SubjectMatches
from .subject_query import SubjectQuery
from .sweep_body import SweepBody
from .swept import Swept
from .train_request import TrainRequest

__all__ = (
    "ActiveModel",
    "AgreementObeyed",
    "Compliance",
    "ComplianceReplica",
    "DeadLetter",
    "DeadLetters",
    "FieldEvidence",
    "FieldIssue",
    "Holdings",
    "HoldingsCounts",
    "LearningJob",
    "LearningJobSeconds",
    "LearningJobStage",
    "LearningJobState",
    "LearningStatus",
    "ListReviewPairsStatusType0",
    "Liveness",
    "Migration",
    "ModelCheck",
    "PostcodesLoaded",
    "ProblemDetail",
    "PseudonymiserListSecurityEventsKindType0",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReadinessWaitingFor",
    "ReviewDecision",
    "ReviewDecisionDecision",
    "ReviewOutcome",
    "ReviewPairOut",
    "ReviewPairOutBand",
    "ReviewPairOutResolutionType0",
    "ReviewPairOutStatus",
    "ReviewRecord",
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
    "SubjectMatch",
    "SubjectMatches",
    "SubjectQuery",
    "SweepBody",
    "Swept",
    "TrainRequest",
)
