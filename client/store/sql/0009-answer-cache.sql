-- The last answer of each server report (GET /pipeline, /forecast,
-- /pipeline/analysis) per query, kept for reading offline
-- (crm-store-answers.c).  Not synced: the views write it when the server
-- answers and read it when it does not.

CREATE TABLE answer_cache (
  endpoint   TEXT NOT NULL,   -- the report's path below /api/v1: "/forecast"
  query      TEXT NOT NULL,   -- its parameters, sorted and escaped: "period=2026-Q4&scope=me"
  answer     TEXT NOT NULL,   -- the answer's JSON text
  fetched_at TEXT NOT NULL,   -- when it was fetched, ISO 8601 UTC
  PRIMARY KEY (endpoint, query)
) WITHOUT ROWID;

CREATE INDEX answer_cache_fetched_at ON answer_cache (fetched_at);
