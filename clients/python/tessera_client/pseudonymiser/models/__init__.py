"""Contains all the data models used in inputs/outputs"""

from .active_model import ActiveModel
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .field_evidence import FieldEvidence
from .field_issue import FieldIssue
from .find_subject_response_findsubject import FindSubjectResponseFindsubject
from .learning_job import LearningJob
from .learning_job_seconds import LearningJobSeconds
from .learning_job_stage import LearningJobStage
from .learning_job_state import LearningJobState
from .learning_status import LearningStatus
from .list_review_pairs_status_type_0 import ListReviewPairsStatusType0
from .migration import Migration
from .model_check import ModelCheck
from .postcodes_loaded import PostcodesLoaded
from .problem_detail import ProblemDetail
from .pseudonymiser_get_agreement_holdings_response_pseudonymisergetagreementholdings import (
    PseudonymiserGetAgreementHoldingsResponsePseudonymisergetagreementholdings,
)
from .pseudonymiser_healthz_response_pseudonymiserhealthz import (
    PseudonymiserHealthzResponsePseudonymiserhealthz,
)
from .pseudonymiser_list_dead_letters_response_pseudonymiserlistdeadletters import (
    PseudonymiserListDeadLettersResponsePseudonymiserlistdeadletters,
)
from .pseudonymiser_list_security_events_kind_type_0 import (
    PseudonymiserListSecurityEventsKindType0,
)
from .pseudonymiser_release_subject_access_response_pseudonymiserreleasesubjectaccess import (
    PseudonymiserReleaseSubjectAccessResponsePseudonymiserreleasesubjectaccess,
)
from .pseudonymiser_sweep_retention_response_pseudonymisersweepretention import (
    PseudonymiserSweepRetentionResponsePseudonymisersweepretention,
)
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
from .subject_query import SubjectQuery
from .sweep_body import SweepBody
from .train_request import TrainRequest

__all__ = (
    "ActiveModel",
    "Compliance",
    "ComplianceReplica",
    "FieldEvidence",
    "FieldIssue",
    "FindSubjectResponseFindsubject",
    "LearningJob",
    "LearningJobSeconds",
    "LearningJobStage",
    "LearningJobState",
    "LearningStatus",
    "ListReviewPairsStatusType0",
    "Migration",
    "ModelCheck",
    "PostcodesLoaded",
    "ProblemDetail",
    "PseudonymiserGetAgreementHoldingsResponsePseudonymisergetagreementholdings",
    "PseudonymiserHealthzResponsePseudonymiserhealthz",
    "PseudonymiserListDeadLettersResponsePseudonymiserlistdeadletters",
    "PseudonymiserListSecurityEventsKindType0",
    "PseudonymiserReleaseSubjectAccessResponsePseudonymiserreleasesubjectaccess",
    "PseudonymiserSweepRetentionResponsePseudonymisersweepretention",
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
    "SubjectQuery",
    "SweepBody",
    "TrainRequest",
)
