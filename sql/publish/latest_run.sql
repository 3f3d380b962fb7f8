-- Publication: the run that last rebuilt the model (runs.modelled, committed).
-- A publication says "as of" that run, and its start is the "as of" time of
-- the stale-data marks, the same run that computed index_scores.data_until:
-- runs that change nothing leave every publication byte-identical. The
-- report never prints the wall clock.
SELECT run_id, started_at
FROM runs
WHERE modelled AND committed_at IS NOT NULL
ORDER BY run_id DESC
LIMIT 1
