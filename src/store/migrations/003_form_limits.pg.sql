-- 003_form_limits: abuse limits of the public web-to-lead forms.

-- One row per accepted submission attempt (valid or not, honeypot included),
-- kept for a minute: the per-IP rate limit counts them.  In the database, not
-- in memory, so several `funnel serve` behind a load balancer share it.
CREATE TABLE form_hits (
  form_id BIGINT NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
  ip TEXT NOT NULL,
  at BIGINT NOT NULL             -- unix seconds
);
CREATE INDEX form_hits_key ON form_hits(form_id, ip, at);
CREATE INDEX form_hits_at ON form_hits(at);

-- Submissions that filled the honeypot: answered like a success, not kept.
ALTER TABLE forms ADD COLUMN spam_blocked BIGINT NOT NULL DEFAULT 0;
