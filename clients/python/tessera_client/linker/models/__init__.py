"""Contains all the data models used in inputs/outputs"""

from .area_concentration import AreaConcentration
from .area_demand import AreaDemand
from .area_profile import AreaProfile
from .area_series import AreaSeries
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .concentration import Concentration
from .concentration_profile import ConcentrationProfile
from .demand_report import DemandReport
from .disclosure_note import DisclosureNote
from .field_issue import FieldIssue
from .get_area_concentration_chart_level import GetAreaConcentrationChartLevel
from .get_area_concentration_level import GetAreaConcentrationLevel
from .get_area_profile_by import GetAreaProfileBy
from .get_area_profile_chart_level import GetAreaProfileChartLevel
from .get_area_profile_level import GetAreaProfileLevel
from .group_series import GroupSeries
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
from .lookup_loaded import LookupLoaded
from .migration import Migration
from .population_loaded import PopulationLoaded
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
from .top_share import TopShare

__all__ = (
    "AreaConcentration",
    "AreaDemand",
    "AreaProfile",
    "AreaSeries",
    "Compliance",
    "ComplianceReplica",
    "Concentration",
    "ConcentrationProfile",
    "DemandReport",
    "DisclosureNote",
    "FieldIssue",
    "GetAreaConcentrationChartLevel",
    "GetAreaConcentrationLevel",
    "GetAreaProfileBy",
    "GetAreaProfileChartLevel",
    "GetAreaProfileLevel",
    "GroupSeries",
    "LinkerGetAgreementHoldingsResponseLinkergetagreementholdings",
    "LinkerHealthzResponseLinkerhealthz",
    "LinkerListDeadLettersResponseLinkerlistdeadletters",
    "LinkerListSecurityEventsKindType0",
    "LinkerReleaseSubjectAccessResponseLinkerreleasesubjectaccess",
    "LinkerSweepRetentionResponseLinkersweepretention",
    "LookupLoaded",
    "Migration",
    "PopulationLoaded",
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
    "TopShare",
)
