-- Publication: the rows of form II.06a for the periods listed in $1
-- (comma-separated; dossier_stats), each with the level and name of its
-- unit as registered at its period's end
-- (units; level '' when the unit is not registered). field = '*' is the
-- unit total. dissolved_orphan: the unit code's last row in units (the
-- latest valid_to; names, like this, allows several rows of a code) ended
-- before the period's end without a successor, so the unit keeps its own
-- dossiers (docs/contract.md, "Unit history"), unranked; the form labels
-- it, since a reader would otherwise take it for a unit that exists.
-- Unordered: fields are sorted in Go with the Vietnamese collation, units
-- by unit_code.
WITH p AS (
    SELECT period, start_at, end_at
    FROM periods
    WHERE period IN (SELECT unnest(string_split($1, ',')))
),
names AS (
    SELECT p.period, u.unit_code, u.name, u.level,
           row_number() OVER (
               PARTITION BY p.period, u.unit_code
               ORDER BY (u.valid_from IS NULL OR u.valid_from < p.end_at) DESC,
                        (u.valid_to IS NULL OR u.valid_to >= p.start_at) DESC,
                        u.valid_from DESC NULLS LAST, u.name, u.level
           ) AS pick
    FROM units u CROSS JOIN p
),
last_rows AS (
    SELECT unit_code,
           max(coalesce(valid_to, DATE '9999-12-31')) AS last_to,
           arg_max(coalesce(successor_code, ''), coalesce(valid_to, DATE '9999-12-31')) AS successor
    FROM units
    GROUP BY unit_code
)
SELECT s.period,
       coalesce(n.level, '')         AS level,
       s.unit_code,
       coalesce(n.name, s.unit_code) AS unit_name,
       coalesce(l.last_to < p.end_at AND l.successor = '', false) AS dissolved_orphan,
       s.field,
       s.received_total, s.received_online, s.received_direct_postal, s.carried_over,
       s.resolved_total, s.resolved_early, s.resolved_on_time, s.resolved_late,
       s.pending_total, s.pending_in_time, s.pending_overdue,
       s.withdrawn, s.rejected, s.supplement_requested
FROM dossier_stats s
JOIN p ON p.period = s.period
LEFT JOIN names n ON n.period = s.period AND n.unit_code = s.unit_code AND n.pick = 1
LEFT JOIN last_rows l ON l.unit_code = s.unit_code
WHERE s.period IN (SELECT unnest(string_split($1, ',')))
