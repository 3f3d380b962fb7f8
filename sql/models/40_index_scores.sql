-- index_scores: per unit × period, each group's score, the total out of the
-- methodology's maximum, the competition rank (1, 2, 2, 4) within the peer
-- group (the unit's level), the tier, the movement since the previous
-- period of the same kind, how far the unit's data reaches and whether the
-- period is provisional. From indicator_values, index_groups, units,
-- periods, dossiers and the temporary table tiers.
-- Parameters: $1 methodology, $2 version, $3 the methodology's maximum total.
-- A group with N/A indicators is scored over the rest and scaled up to its
-- maximum; a unit with a whole group N/A has its total scaled the same way.
-- Ranks compare totals rounded to 9 decimals so that equal rates, summed in a
-- different order, still tie.
INSERT INTO index_scores
WITH g AS (
    SELECT iv.period, iv.unit_code, iv.group_code, ig.position, ig.max_points AS group_max,
           sum(iv.points) AS pts,
           sum(iv.max_points) FILTER (WHERE iv.points IS NOT NULL) AS avail,
           list(iv.indicator_code ORDER BY iv.indicator_code) FILTER (WHERE iv.points IS NULL) AS na
    FROM indicator_values iv
    JOIN index_groups ig USING (methodology, methodology_version, group_code)
    WHERE iv.methodology = $1 AND iv.methodology_version = $2
    GROUP BY ALL
), gs AS (
    SELECT *, CASE WHEN avail > 0 THEN pts / avail * group_max END AS score FROM g
), totals AS (
    SELECT period, unit_code,
           '{' || string_agg('"' || group_code || '":' || coalesce(CAST(score AS VARCHAR), 'null'), ',' ORDER BY position) || '}' AS group_scores,
           flatten(list(coalesce(na, []) ORDER BY position)) AS na_indicators,
           CASE WHEN sum(group_max) FILTER (WHERE score IS NOT NULL) > 0
                THEN sum(score) * $3 / sum(group_max) FILTER (WHERE score IS NOT NULL) END AS total_score
    FROM gs
    GROUP BY period, unit_code
), members AS (
    -- Who is listed in a period: every unit that exists at its end, with
    -- or without dossiers in scope (one without is listed unranked, "không
    -- có dữ liệu", never dropped), and a unit with scores that existed
    -- during the period. A unit dissolved or merged before the period
    -- (valid_to), or created after it, is not listed; its dossiers still
    -- count in dossier_stats.
    SELECT DISTINCT pp.period, u.unit_code, u.level
    FROM periods pp
    JOIN units u ON (u.valid_from IS NULL OR u.valid_from < pp.end_at)
                AND (u.valid_to IS NULL OR u.valid_to >= pp.start_at)
    WHERE u.valid_to IS NULL OR u.valid_to >= pp.end_at
       OR EXISTS (SELECT 1 FROM totals t WHERE t.period = pp.period AND t.unit_code = u.unit_code)
), ranked AS (
    SELECT m.period, m.unit_code,
           coalesce(t.group_scores, (SELECT '{' || string_agg('"' || group_code || '":null', ',' ORDER BY position) || '}'
                                     FROM index_groups WHERE methodology = $1 AND methodology_version = $2)) AS group_scores,
           t.na_indicators, t.total_score, m.level AS peer_group,
           CASE WHEN t.total_score IS NOT NULL THEN
               rank() OVER (PARTITION BY m.period, m.level ORDER BY round(t.total_score, 9) DESC NULLS LAST) END AS rank,
           count(t.total_score) OVER (PARTITION BY m.period, m.level) AS peer_count
    FROM members m
    LEFT JOIN totals t USING (period, unit_code)
), fresh AS (
    -- A unit's data covers up to the newest moment in the dossiers it
    -- delivered (received, finished or returned), capped at the period's
    -- end; not the time of the last run: a unit whose exports stop
    -- arriving turns stale while the nightly run keeps succeeding.
    SELECT p.period, d.unit_code, least(p.end_at, d.covered) AS data_until
    FROM (SELECT unit_code, max(greatest(received_at, coalesce(finished_at, received_at), coalesce(returned_at, received_at))) AS covered
          FROM dossiers GROUP BY unit_code) d
    CROSS JOIN periods p
)
SELECT $1, $2, r.period, r.unit_code, r.peer_group, r.group_scores,
       CASE WHEN len(r.na_indicators) > 0 THEN r.na_indicators END,
       r.total_score, r.rank, r.peer_count,
       (SELECT name FROM tiers WHERE r.total_score >= tiers.min ORDER BY tiers.min DESC LIMIT 1),
       prev.rank, prev.total_score, prev.rank - r.rank, r.total_score - prev.total_score,
       f.data_until, p.provisional
FROM ranked r
JOIN periods p ON p.period = r.period
LEFT JOIN ranked prev ON prev.period = p.previous_period AND prev.unit_code = r.unit_code AND prev.peer_group = r.peer_group
LEFT JOIN fresh f ON f.period = r.period AND f.unit_code = r.unit_code;
