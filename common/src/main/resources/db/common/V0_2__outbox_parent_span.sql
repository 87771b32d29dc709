-- The span that appended an event (the request's or the consumed event's, TraceContext.current() when the event's
-- traceparent is a new span of the same trace): the outbox relay's PRODUCER span is exported as its child, so that an
-- exported trace runs unbroken HTTP request -> event -> consumer -> event. NULL when the event was not appended inside
-- a trace (timers, recovery). A common migration numbered below the services' own (V1...): Database.migrate applies
-- it out of order on databases that already have theirs.
ALTER TABLE outbox ADD COLUMN parent_span_id CHAR(16) NULL AFTER traceparent;
