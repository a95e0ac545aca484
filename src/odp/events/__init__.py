"""Lifecycle events: the typed, versioned contract, the Redis Streams bus, the embedded Redis."""

from odp.events.bus import ALL_STREAM, LIVE_CHANNEL, EventBus, run_stream
from odp.events.connect import open_bus
from odp.events.embedded import EmbeddedRedis, RedisInfo, find_redis_binary
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
from odp.events.publisher import EventPublisher, PublisherStats

__all__ = [
    "ALL_STREAM",
    "LIVE_CHANNEL",
    "SCHEMA_VERSION",
    "TERMINAL_TYPES",
    "EmbeddedRedis",
    "Event",
    "EventBase",
    "EventBus",
    "EventPublisher",
    "EventType",
    "PipelineCancelled",
    "PipelineCompleted",
    "PipelineFailed",
    "PipelineStarted",
    "PipelineSubmitted",
    "PublisherStats",
    "RedisInfo",
    "StepCompleted",
    "StepEvent",
    "StepFailed",
    "StepRetrying",
    "StepStarted",
    "find_redis_binary",
    "open_bus",
    "parse_event",
    "run_stream",
]
