"""Contains all the data models used in inputs/outputs"""

from .area_demand import AreaDemand
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .concentration import Concentration
from .demand_report import DemandReport
from .disclosure_note import DisclosureNote
from .field_issue import FieldIssue
from .linker_get_agreement_holdings_response_linkergetagreementholdings import (
    LinkerGetAgreementHoldingsResponseLinkergetagreementholdings,
)
from .linker_healthz_response_linkerhealthz import LinkerHealthzResponseLinkerhealthz
from .linker_list_dead_letters_response_linkerlistdeadletters import (
    LinkerListDeadLettersResponseLinkerlistdeadletters,
)
from .linker_list_security_events_kind_type_0 import LinkerListSecurityEventsKindType0
from .linker_release_subject_access_response_linkerreleasesubjectaccess import (
    LinkerReleaseSubjectAccessResponseLinkerreleasesubjectaccess,
)
from .linker_sweep_retention_response_linkersweepretention import (
    LinkerSweepRetentionResponseLinkersweepretention,
)
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
from .sweep_body import SweepBody

__all__ = (
    "AreaDemand",
    "Compliance",
    "ComplianceReplica",
    "Concentration",
    "DemandReport",
    "DisclosureNote",
    "FieldIssue",
    "LinkerGetAgreementHoldingsResponseLinkergetagreementholdings",
    "LinkerHealthzResponseLinkerhealthz",
    "LinkerListDeadLettersResponseLinkerlistdeadletters",
    "LinkerListSecurityEventsKindType0",
    "LinkerReleaseSubjectAccessResponseLinkerreleasesubjectaccess",
    "LinkerSweepRetentionResponseLinkersweepretention",
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
    "SweepBody",
)
