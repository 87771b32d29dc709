-- Issue 16 row 11 / issue 13: a Toss webhook is acknowledged at once with a constant answer and verified afterwards (a
-- re-read at Toss). The row records that a verification is owed, so a webhook acknowledged just before a crash is still
-- verified by the periodic sweep; cleared only by a verification that started after the webhook arrived.
ALTER TABLE payments ADD COLUMN webhook_pending_at DATETIME(6) NULL;
CREATE INDEX ix_payments_webhook_pending ON payments (webhook_pending_at);
