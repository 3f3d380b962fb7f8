-- Publication: the latest run (runs), whatever its state: a publication
-- written by run N says "as of run N", and so does `cchc publish` until a
-- later run exists. Its start is the "as of" time for stale-data marks. The
-- report never prints the wall clock, so the same warehouse content gives
-- the same page.
SELECT run_id, started_at
FROM runs
ORDER BY run_id DESC
LIMIT 1
