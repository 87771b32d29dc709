-- Issue 16 row 8: failed logins are counted per e-mail and client address (an attacker's failures slow the attacker),
-- with the time of the last failure for the progressive delay. Existing rows become the client ''.
ALTER TABLE login_failures
  ADD COLUMN client VARCHAR(64) NOT NULL DEFAULT '' AFTER email,
  ADD COLUMN last_failure_at DATETIME(6) NULL,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (email, client);
UPDATE login_failures SET last_failure_at = window_started_at WHERE last_failure_at IS NULL;
