-- 009_field_history_feed: the analytics index keeps the past values of an
-- opportunity's amount, close_date and forecast_category (its field pool,
-- src/crm/analytics.h) so that a forecast can be computed as of a past date
-- (src/crm/forecast.h).  Those values come from `history` rows.  A write
-- through the record engine changes the opportunity too, which already
-- feeds change_log; a field history imported on its own (another process
-- inserting history rows) would not, so such a row names its opportunity in
-- the feed here.  Named change_log_* like the others: `funnel demo` drops
-- and recreates every change_log_* trigger around its bulk load.

CREATE FUNCTION change_log_history_insert_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (NEW.record_id);
  RETURN NULL;
END $$;
CREATE TRIGGER change_log_history_insert AFTER INSERT ON history FOR EACH ROW WHEN (NEW.resource = 'opportunities'
   AND NEW.field IN ('amount', 'close_date', 'forecast_category')) EXECUTE FUNCTION change_log_history_insert_fn();
CREATE FUNCTION change_log_history_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (OLD.record_id);
  RETURN NULL;
END $$;
CREATE TRIGGER change_log_history_delete AFTER DELETE ON history FOR EACH ROW WHEN (OLD.resource = 'opportunities'
   AND OLD.field IN ('amount', 'close_date', 'forecast_category')) EXECUTE FUNCTION change_log_history_delete_fn();
