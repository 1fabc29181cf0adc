-- 021_questionnaires: templates of the live questionnaires hosts launch in
-- meetings (crm/meetings/questionnaire.h).  questions: a JSON array checked by
-- questionnaire_check().
CREATE TABLE questionnaires (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  questions TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

-- The seed's buying-criteria poll, ready to launch.
INSERT INTO questionnaires (name, description, questions, created_at, updated_at) VALUES
 ('Buying criteria',
  'Early in a presentation: what the buyer weighs, and how the seller''s differentials rank.',
  '[{"key":"priority","text":"What matters most in this decision?","kind":"single","options":["Price","Quality","Service","Delivery time"],"required":true},'
  || '{"key":"price","text":"How important is the price?","kind":"rating","min":1,"max":5,"min_label":"not important","max_label":"decisive"},'
  || '{"key":"quality","text":"How important is the quality?","kind":"rating","min":1,"max":5,"min_label":"not important","max_label":"decisive"},'
  || '{"key":"service","text":"How important is the service?","kind":"rating","min":1,"max":5,"min_label":"not important","max_label":"decisive"},'
  || '{"key":"differentials","text":"Rank what sets us apart, most valuable first","kind":"ranking","options":["Faster delivery","Local support","Lower total cost","Proven in your industry"]},'
  || '{"key":"other","text":"Anything else we should know?","kind":"text"}]',
  strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));
