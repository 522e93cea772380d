from .case import Case, Channel, JourneyStage, Product, Severity, Status, TriageStage
from .customers import Customer, CustomerExternalId
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
    "CustomerExternalId",
    "DifferentAnswer",
    "Handoff",
    "JourneyStage",
    "Origin",
    "Product",
    "RootCause",
    "Scope",
    "Severity",
    "Status",
    "TriState",
    "TriageStage",
    "WhatAnswer",
    "WhyAnswer",
]
