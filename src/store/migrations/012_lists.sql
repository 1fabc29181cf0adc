-- 012_lists: saved filters, and what keeps the lists fast at scale.
--
-- Saved filters: a person's named list queries ("my open deals in DACH"),
-- kept on the server so they follow them from one browser to another.  Only
-- their owner sees them (record.h VIS_SELF), admins included.
CREATE TABLE saved_filters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  resource TEXT NOT NULL CHECK (resource = 'accounts' OR resource = 'contacts' OR resource = 'leads' OR resource = 'opportunities'),
  name TEXT NOT NULL,
  query TEXT NOT NULL DEFAULT '',
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
-- a screen lists one person's filters for one resource, by name
CREATE UNIQUE INDEX saved_filters_owner_resource_name ON saved_filters(owner_id, resource, name);

-- The lists of accounts and contacts start from the set of accounts a
-- salesperson or a team sees (record.c, vis_list_sql): those they own and
-- those they have deals on.  This index answers the second half from the
-- index alone — a manager's 34,000 deals were 34,000 row reads per page
-- (bench/lists.sh).
CREATE INDEX opportunities_owner_account ON opportunities(owner_id, account_id);

-- Search (?q=) over the four big lists: a trigram index of their searchable
-- fields (the FF_SEARCH ones), so that "q=acme" is a look-up, not a read of
-- every row with LIKE '%acme%' (a search with no match read all 1,000,000
-- deals: 4.7 s for a manager, bench/lists.sh).  Three characters or more use
-- it (record.c); shorter ones still use LIKE.  The triggers keep each index
-- in step with its table.

CREATE VIRTUAL TABLE accounts_search USING fts5(name, domain, content='accounts', content_rowid='id', tokenize='trigram');
INSERT INTO accounts_search(accounts_search) VALUES ('rebuild');
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
  INSERT INTO accounts_search(rowid, name, domain) VALUES (new.id, new.name, new.domain);
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
  INSERT INTO accounts_search(accounts_search, rowid, name, domain) VALUES ('delete', old.id, old.name, old.domain);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF name, domain ON accounts BEGIN
  INSERT INTO accounts_search(accounts_search, rowid, name, domain) VALUES ('delete', old.id, old.name, old.domain);
  INSERT INTO accounts_search(rowid, name, domain) VALUES (new.id, new.name, new.domain);
END;

CREATE VIRTUAL TABLE contacts_search USING fts5(first_name, last_name, email, content='contacts', content_rowid='id', tokenize='trigram');
INSERT INTO contacts_search(contacts_search) VALUES ('rebuild');
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_search(rowid, first_name, last_name, email) VALUES (new.id, new.first_name, new.last_name, new.email);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_search(contacts_search, rowid, first_name, last_name, email) VALUES ('delete', old.id, old.first_name, old.last_name, old.email);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF first_name, last_name, email ON contacts BEGIN
  INSERT INTO contacts_search(contacts_search, rowid, first_name, last_name, email) VALUES ('delete', old.id, old.first_name, old.last_name, old.email);
  INSERT INTO contacts_search(rowid, first_name, last_name, email) VALUES (new.id, new.first_name, new.last_name, new.email);
END;

CREATE VIRTUAL TABLE leads_search USING fts5(first_name, last_name, company, email, content='leads', content_rowid='id', tokenize='trigram');
INSERT INTO leads_search(leads_search) VALUES ('rebuild');
CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
  INSERT INTO leads_search(rowid, first_name, last_name, company, email) VALUES (new.id, new.first_name, new.last_name, new.company, new.email);
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
  INSERT INTO leads_search(leads_search, rowid, first_name, last_name, company, email) VALUES ('delete', old.id, old.first_name, old.last_name, old.company, old.email);
END;
CREATE TRIGGER leads_search_update AFTER UPDATE OF first_name, last_name, company, email ON leads BEGIN
  INSERT INTO leads_search(leads_search, rowid, first_name, last_name, company, email) VALUES ('delete', old.id, old.first_name, old.last_name, old.company, old.email);
  INSERT INTO leads_search(rowid, first_name, last_name, company, email) VALUES (new.id, new.first_name, new.last_name, new.company, new.email);
END;

CREATE VIRTUAL TABLE opportunities_search USING fts5(name, content='opportunities', content_rowid='id', tokenize='trigram');
INSERT INTO opportunities_search(opportunities_search) VALUES ('rebuild');
CREATE TRIGGER opportunities_search_insert AFTER INSERT ON opportunities BEGIN
  INSERT INTO opportunities_search(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER opportunities_search_delete AFTER DELETE ON opportunities BEGIN
  INSERT INTO opportunities_search(opportunities_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER opportunities_search_update AFTER UPDATE OF name ON opportunities BEGIN
  INSERT INTO opportunities_search(opportunities_search, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO opportunities_search(rowid, name) VALUES (new.id, new.name);
END;
