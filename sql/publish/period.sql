-- Publication: the reporting period $1 (periods): its boundaries
-- [start_at, end_at) and the previous period of the same kind.
SELECT period, kind, convention, start_at, end_at, previous_period
FROM periods
WHERE period = $1
