from .case import Case, Channel, JourneyStage, Product, Severity, Status, TriageStage
from .customers import Customer, CustomerErasure, CustomerExternalId
from .desk import SavedView
from .idempotency import IdempotencyKey
from .timeline import CaseEvent, Handoff
from .triage import (
    ActionStatus,
    CorrectiveAction,
    DifferentAnswer,
    Origin,
    RootCause,
    Scope,
    TriState,
    WhatAnswer,
    WhyAnswer,
)

__all__ = [
    "ActionStatus",
    "Case",
    "CaseEvent",
    "Channel",
    "CorrectiveAction",
    "Customer",
    "CustomerErasure",
    "CustomerExternalId",
    "DifferentAnswer",
    "Handoff",
    "IdempotencyKey",
    "JourneyStage",
    "Origin",
    "Product",
    "SavedView",
    "RootCause",
    "Scope",
    "Severity",
    "Status",
    "TriState",
    "TriageStage",
    "WhatAnswer",
    "WhyAnswer",
]
