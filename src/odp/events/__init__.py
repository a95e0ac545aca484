"""Lifecycle events: the typed, versioned contract, the Redis Streams bus, the embedded Redis."""

from odp.events.models import (
    SCHEMA_VERSION,
    TERMINAL_TYPES,
    Event,
    EventBase,
    EventType,
    PipelineCancelled,
    PipelineCompleted,
    PipelineFailed,
    PipelineStarted,
    PipelineSubmitted,
    StepCompleted,
    StepEvent,
    StepFailed,
    StepRetrying,
    StepStarted,
    parse_event,
)

__all__ = [
    "SCHEMA_VERSION",
    "TERMINAL_TYPES",
    "Event",
    "EventBase",
    "EventType",
    "PipelineCancelled",
    "PipelineCompleted",
    "PipelineFailed",
    "PipelineStarted",
    "PipelineSubmitted",
    "StepCompleted",
    "StepEvent",
    "StepFailed",
    "StepRetrying",
    "StepStarted",
    "parse_event",
]
