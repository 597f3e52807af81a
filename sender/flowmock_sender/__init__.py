"""flowmock's sender: the other side of the contract, as Postman's Power Automate integration sends it.

The public API is `Sender`, `Delivery`, `default_retry`, `RedactingFilter` (for urllib3's loggers), the payload
builders `backup_collection`, `monitor_results`, `activity`, `summarise` (Newman reports), the notification policy
`decide` / `PolicyState`, `load_integrations`, and the exceptions `SenderError`, `InputError`, `InvalidPayload`,
`RejectedError`, `RetriesExhausted`, `TransportError`. Everything else may change.
"""

from .client import Delivery, RedactingFilter, Sender, default_retry
from .errors import InputError, InvalidPayload, RejectedError, RetriesExhausted, SenderError, TransportError
from .integrations import Integration, load_integrations
from .newman import RunSummary, summarise
from .payloads import activity, activity_message, backup_collection, check, make_uid, monitor_results
from .policy import PolicyState, decide

__all__ = [
    "Delivery",
    "InputError",
    "Integration",
    "InvalidPayload",
    "PolicyState",
    "RedactingFilter",
    "RejectedError",
    "RetriesExhausted",
    "RunSummary",
    "Sender",
    "SenderError",
    "TransportError",
    "activity",
    "activity_message",
    "backup_collection",
    "check",
    "decide",
    "default_retry",
    "load_integrations",
    "make_uid",
    "monitor_results",
    "summarise",
]
