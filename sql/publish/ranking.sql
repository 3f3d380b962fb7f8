-- Publication: the rankings of the periods listed in $1 (comma-separated),
-- every methodology and peer group, from index_scores; with the name of
-- each unit as registered at its period's end (units) and the peer count
-- of the previous period restated on this period's units (to show "5/30":
-- the units with a previous rank, since exactly those were ranked again).
-- Whether a unit's data is stale depends on the freshness configured and
-- is decided in Go from data_until.
-- Unordered: callers wrap it and order by period, rank, then unit_code.
WITH p AS (
    SELECT period, start_at, end_at, previous_period
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
prev AS (
    SELECT s.period, s.methodology, s.peer_group, count(s.previous_rank) AS peer_count
    FROM index_scores s JOIN p ON s.period = p.period
    GROUP BY s.period, s.methodology, s.peer_group
)
SELECT s.period,
       s.methodology,
       s.methodology_version,
       s.peer_group,
       s.unit_code,
       coalesce(n.name, s.unit_code)                           AS unit_name,
       s.rank,
       s.peer_count,
       CAST(s.group_scores AS VARCHAR)                         AS group_scores,
       CAST(to_json(coalesce(s.na_indicators, [])) AS VARCHAR) AS na_json,
       s.total_score,
       s.tier,
       s.previous_rank,
       prev.peer_count                                         AS previous_peer_count,
       s.rank_change,
       s.score_change,
       s.data_until
FROM index_scores s
JOIN p ON s.period = p.period
LEFT JOIN names n ON n.period = s.period AND n.unit_code = s.unit_code AND n.pick = 1
LEFT JOIN prev ON prev.period = s.period AND prev.methodology = s.methodology AND prev.peer_group = s.peer_group
