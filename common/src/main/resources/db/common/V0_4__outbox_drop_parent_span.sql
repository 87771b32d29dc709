-- The relay's PRODUCER span now continues the event's traceparent (the span that appended it) as OpenTelemetry makes
-- it, with an id of its own: the preset parent span id is no longer kept.
ALTER TABLE outbox DROP COLUMN parent_span_id;
