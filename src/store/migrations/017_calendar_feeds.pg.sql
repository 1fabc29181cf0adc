-- 017_calendar_feeds: each user's private iCalendar subscription
-- (crm/integrations/calendar.h).  At most one live feed per user: making a
-- new one replaces the row (the old URL stops working), revoking deletes it.
-- Only the BLAKE2b hash of the URL's token is kept, as for API tokens.

CREATE TABLE calendar_feeds (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE, -- hex BLAKE2b-256 of the token (auth_secret_hash)
  prefix TEXT NOT NULL,            -- the token's first characters, to recognise it
  created_at TEXT NOT NULL,
  last_polled_at TEXT              -- a calendar program's last fetch (once a minute at most)
);
