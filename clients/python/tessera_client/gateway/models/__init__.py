"""Contains all the data models used in inputs/outputs"""

from .agreement_create import AgreementCreate
from .agreement_fields import AgreementFields
from .agreement_out import AgreementOut
from .batch_receipt import BatchReceipt
from .batch_status import BatchStatus
from .batch_status_status import BatchStatusStatus
from .batch_summary import BatchSummary
from .batch_summary_kind import BatchSummaryKind
from .batch_summary_status import BatchSummaryStatus
from .code_out import CodeOut
from .code_spec import CodeSpec
from .code_spec_category import CodeSpecCategory
from .code_spec_headline_type_0 import CodeSpecHeadlineType0
from .compliance import Compliance
from .compliance_replica import ComplianceReplica
from .dataset_fields import DatasetFields
from .dataset_fields_codes import DatasetFieldsCodes
from .dataset_fields_level import DatasetFieldsLevel
from .dataset_out import DatasetOut
from .dead_letter import DeadLetter
from .dead_letters import DeadLetters
from .end_body import EndBody
from .event_row import EventRow
from .event_upload import EventUpload
from .field_error import FieldError
from .field_issue import FieldIssue
from .gateway_list_security_events_kind_type_0 import GatewayListSecurityEventsKindType0
from .holdings import Holdings
from .holdings_counts import HoldingsCounts
from .identity_row import IdentityRow
from .identity_upload import IdentityUpload
from .liveness import Liveness
from .migration import Migration
from .opt_out_row import OptOutRow
from .opt_out_row_status import OptOutRowStatus
from .opt_out_upload import OptOutUpload
from .partner_fields import PartnerFields
from .partner_out import PartnerOut
from .partner_out_managed_by import PartnerOutManagedBy
from .problem_detail import ProblemDetail
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .readiness_waiting_for import ReadinessWaitingFor
from .receipt import Receipt
from .receipt_removed import ReceiptRemoved
from .registry_change_out import RegistryChangeOut
from .registry_change_out_action import RegistryChangeOutAction
from .registry_change_out_after_type_0 import RegistryChangeOutAfterType0
from .registry_change_out_before_type_0 import RegistryChangeOutBeforeType0
from .registry_change_out_entity import RegistryChangeOutEntity
from .registry_out import RegistryOut
from .rejected_row import RejectedRow
from .retire_body import RetireBody
from .revision import Revision
from .revision_terms import RevisionTerms
from .revocation import Revocation
from .revocation_body import RevocationBody
from .security_event import SecurityEvent
from .security_event_kind import SecurityEventKind
from .security_event_outcome import SecurityEventOutcome
from .security_event_page import SecurityEventPage
from .security_log_state import SecurityLogState
from .security_log_verification import SecurityLogVerification
from .security_log_verification_problems_item import SecurityLogVerificationProblemsItem
from .signed_head import SignedHead

__all__ = (
    "AgreementCreate",
    "AgreementFields",
    "AgreementOut",
    "BatchReceipt",
    "BatchStatus",
    "BatchStatusStatus",
    "BatchSummary",
    "BatchSummaryKind",
    "BatchSummaryStatus",
    "CodeOut",
    "CodeSpec",
    "CodeSpecCategory",
    "CodeSpecHeadlineType0",
    "Compliance",
    "ComplianceReplica",
    "DatasetFields",
    "DatasetFieldsCodes",
    "DatasetFieldsLevel",
    "DatasetOut",
    "DeadLetter",
    "DeadLetters",
    "EndBody",
    "EventRow",
    "EventUpload",
    "FieldError",
    "FieldIssue",
    "GatewayListSecurityEventsKindType0",
    "Holdings",
    "HoldingsCounts",
    "IdentityRow",
    "IdentityUpload",
    "Liveness",
    "Migration",
    "OptOutRow",
    "OptOutRowStatus",
    "OptOutUpload",
    "PartnerFields",
    "PartnerOut",
    "PartnerOutManagedBy",
    "ProblemDetail",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReadinessWaitingFor",
    "Receipt",
    "ReceiptRemoved",
    "RegistryChangeOut",
    "RegistryChangeOutAction",
    "RegistryChangeOutAfterType0",
    "RegistryChangeOutBeforeType0",
    "RegistryChangeOutEntity",
    "RegistryOut",
    "RejectedRow",
    "RetireBody",
    "Revision",
    "RevisionTerms",
    "Revocation",
    "RevocationBody",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityEventOutcome",
    "SecurityEventPage",
    "SecurityLogState",
    "SecurityLogVerification",
    "SecurityLogVerificationProblemsItem",
    "SignedHead",
)
