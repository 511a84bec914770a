-- PostgreSQL moves case numbers to per-year sequences in this migration. SQLite has one
-- writer at a time and keeps the counter row, which now also accounts for references
-- written elsewhere (a move from PostgreSQL): nothing to change in the schema.
SELECT 1;
