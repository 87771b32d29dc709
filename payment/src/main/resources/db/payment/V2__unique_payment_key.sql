-- Issue 16 row 2: one Toss payment key belongs to one order. A confirm with a key another order already holds is refused
-- before Toss is called (409 payment-key-in-use); this index is the backstop against two confirms racing. NULLs (no key
-- yet) do not collide.
CREATE UNIQUE INDEX ux_payments_payment_key ON payments (payment_key);
