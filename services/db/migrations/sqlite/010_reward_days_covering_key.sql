-- PostgreSQL's migration 010 makes the reward days' primary key carry the columns acceptance reads
-- of a device's neighbouring days. SQLite keeps its key as it is: a table's primary key cannot be
-- changed without rebuilding the table, and its growth run is within target without it.
SELECT 1;
