-- The inbox is pruned by age (OutboxRelay, INBOX_RETENTION_HOURS): without an index on processed_at every prune would
-- scan the whole table. The index is append-mostly (processed_at grows with time), so it costs little per claim.
ALTER TABLE inbox ADD KEY ix_inbox_processed_at (processed_at);
