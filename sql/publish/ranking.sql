-- Publication: the ranking of period $1, every methodology and peer group,
-- from index_scores; with the name of each unit as registered at the period
-- end (units), the peer count of the previous period restated on this
-- period's units (to show "5/30": the units with a previous rank, since
-- exactly those were ranked again) and a
-- stale flag: data_until before the cutoff $2 (period end minus the
-- configured freshness; a NULL cutoff disables the check, and a unit without
-- data_until is stale while it is on).
-- Unordered: callers wrap it and order by rank, then unit_code.
WITH p AS (
    SELECT period, start_at, end_at, previous_period
    FROM periods
    WHERE period = $1
),
names AS (
    SELECT u.unit_code, u.name, u.level,
           row_number() OVER (
               PARTITION BY u.unit_code
               ORDER BY (u.valid_from IS NULL OR u.valid_from < p.end_at) DESC,
                        (u.valid_to IS NULL OR u.valid_to >= p.start_at) DESC,
                        u.valid_from DESC NULLS LAST, u.name, u.level
           ) AS pick
    FROM units u CROSS JOIN p
),
prev AS (
    SELECT s.methodology, s.peer_group, count(s.previous_rank) AS peer_count
    FROM index_scores s JOIN p ON s.period = p.period
    GROUP BY s.methodology, s.peer_group
)
SELECT s.methodology,
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
       s.data_until,
       CASE WHEN CAST($2 AS TIMESTAMP) IS NULL THEN false
            ELSE coalesce(s.data_until < CAST($2 AS TIMESTAMP), true)
       END                                                     AS stale
FROM index_scores s
JOIN p ON s.period = p.period
LEFT JOIN names n ON n.unit_code = s.unit_code AND n.pick = 1
LEFT JOIN prev ON prev.methodology = s.methodology AND prev.peer_group = s.peer_group
