-- Publication: the reporting period $1 (periods): its boundaries
-- [start_at, end_at), the previous period of the same kind and whether it
-- is provisional ("Số liệu tạm tính").
SELECT period, kind, convention, start_at, end_at, previous_period, coalesce(provisional, false) AS provisional
FROM periods
WHERE period = $1
