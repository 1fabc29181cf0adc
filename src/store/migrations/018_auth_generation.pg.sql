-- 018_auth_generation: a counter that every change to who may act, or to what
-- they see, moves on (src/crm/records/auth.c).  Each worker thread keeps the
-- principals of the credentials it resolved and uses one again only while
-- the counter is what it was when it was cached; so a logout, a revoked or
-- expired token, a disabled user, a new role or team takes effect with the
-- very next request, whichever process or connection made the change (the
-- command line included).
--
-- Not moved: a new session or token (nothing cached can be about it), a
-- token's last_used_at (written once a minute as it is used).
CREATE TABLE auth_generation (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  n BIGINT NOT NULL
);
INSERT INTO auth_generation (id, n) VALUES (1, 0);

-- PostgreSQL: one function, run by each trigger.
CREATE FUNCTION auth_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER auth_generation_users_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_users_update AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_users_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_teams_insert AFTER INSERT ON teams FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_teams_update AFTER UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_teams_delete AFTER DELETE ON teams FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_sessions_update AFTER UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_sessions_delete AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_tokens_update AFTER UPDATE OF user_id, token_hash, expires_at, revoked_at ON api_tokens FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
CREATE TRIGGER auth_generation_tokens_delete AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION auth_generation_bump();
