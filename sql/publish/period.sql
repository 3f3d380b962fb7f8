-- Publication: the reporting periods listed in $1 (comma-separated; the
-- periods table): their boundaries [start_at, end_at), the previous period
-- of the same kind and whether each is provisional ("Số liệu tạm tính").
SELECT period, kind, convention, start_at, end_at, previous_period, coalesce(provisional, false) AS provisional
FROM periods
WHERE period IN (SELECT unnest(string_split($1, ',')))
ORDER BY period
