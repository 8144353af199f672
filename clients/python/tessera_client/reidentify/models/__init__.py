"""Contains all the data models used in inputs/outputs"""

from .access_log_entry import AccessLogEntry
from .access_log_verification import AccessLogVerification
from .access_log_verification_copies import AccessLogVerificationCopies
from .case_body import CaseBody
from .case_body_requester import CaseBodyRequester
from .case_out import CaseOut
from .cohort_member import CohortMember
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .field_issue import FieldIssue
from .local_record import LocalRecord
from .migration import Migration
from .own_unlock import OwnUnlock
from .partner_lookup_reply import PartnerLookupReply
from .problem_detail import ProblemDetail
from .reidentify_get_agreement_holdings_response_reidentifygetagreementholdings import (
    ReidentifyGetAgreementHoldingsResponseReidentifygetagreementholdings,
)
from .reidentify_healthz_response_reidentifyhealthz import (
    ReidentifyHealthzResponseReidentifyhealthz,
)
from .reidentify_list_dead_letters_response_reidentifylistdeadletters import (
    ReidentifyListDeadLettersResponseReidentifylistdeadletters,
)
from .reidentify_list_security_events_kind_type_0 import (
    ReidentifyListSecurityEventsKindType0,
)
from .reidentify_release_subject_access_response_reidentifyreleasesubjectaccess import (
    ReidentifyReleaseSubjectAccessResponseReidentifyreleasesubjectaccess,
)
from .reidentify_sweep_retention_response_reidentifysweepretention import (
    ReidentifySweepRetentionResponseReidentifysweepretention,
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
from .sweep_body import SweepBody
from .unlock_body import UnlockBody
from .unlock_reply import UnlockReply

__all__ = (
    "AccessLogEntry",
    "AccessLogVerification",
    "AccessLogVerificationCopies",
    "CaseBody",
    "CaseBodyRequester",
    "CaseOut",
    "CohortMember",
    "Compliance",
    "ComplianceReplica",
    "FieldIssue",
    "LocalRecord",
    "Migration",
    "OwnUnlock",
    "PartnerLookupReply",
    "ProblemDetail",
    "ReidentifyGetAgreementHoldingsResponseReidentifygetagreementholdings",
    "ReidentifyHealthzResponseReidentifyhealthz",
    "ReidentifyListDeadLettersResponseReidentifylistdeadletters",
    "ReidentifyListSecurityEventsKindType0",
    "ReidentifyReleaseSubjectAccessResponseReidentifyreleasesubjectaccess",
    "ReidentifySweepRetentionResponseReidentifysweepretention",
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
    "SweepBody",
    "UnlockBody",
    "UnlockReply",
)
