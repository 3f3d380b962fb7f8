-- Publication: the latest finished run (runs), shown in the report as the
-- last data load. The report never prints the wall clock, so the same
-- warehouse content gives the same page.
SELECT run_id, finished_at
FROM runs
WHERE finished_at IS NOT NULL
ORDER BY finished_at DESC, run_id DESC
LIMIT 1
