-- PostgreSQL's migration 0004 adds a trigger that NOTIFYs other nodes of each change. A SQLite
-- site is one machine: its processes (the server, the CLI) poll the changes table instead, so
-- there is nothing to add here. The file keeps both backends' migration numbers in step.
SELECT 1;
