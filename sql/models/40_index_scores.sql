-- index_scores: per unit × period, each group's score, the total out of the
-- methodology's maximum, the competition rank (1, 2, 2, 4) within the peer
-- group (the unit's level), the tier and the movement since the previous
-- period of the same kind. From indicator_values, index_groups, units,
-- periods, dossiers, source_status and the temporary table tiers.
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
), ranked AS (
    SELECT t.*, u.level AS peer_group,
           CASE WHEN t.total_score IS NOT NULL THEN
               rank() OVER (PARTITION BY t.period, u.level ORDER BY round(t.total_score, 9) DESC NULLS LAST) END AS rank,
           count(t.total_score) OVER (PARTITION BY t.period, u.level) AS peer_count
    FROM totals t
    JOIN units u USING (unit_code)
    JOIN periods pp ON pp.period = t.period
    -- A unit dissolved or merged before the period (valid_to), or created
    -- after it, is not ranked; its dossiers still count in dossier_stats.
    WHERE (u.valid_from IS NULL OR u.valid_from < pp.end_at)
      AND (u.valid_to IS NULL OR u.valid_to >= pp.start_at)
), fresh AS (
    -- A unit's data is as current as the least recently fetched of the
    -- sources that deliver it (source_status.last_success_at), capped at
    -- the period's end: publications mark units whose source kept failing.
    SELECT p.period, u.unit_code, least(p.end_at, min(ss.last_success_at)) AS data_until
    FROM (SELECT DISTINCT unit_code, source FROM dossiers) u
    JOIN source_status ss USING (source)
    CROSS JOIN periods p
    GROUP BY p.period, p.end_at, u.unit_code
)
SELECT $1, $2, r.period, r.unit_code, r.peer_group, r.group_scores,
       CASE WHEN len(r.na_indicators) > 0 THEN r.na_indicators END,
       r.total_score, r.rank, r.peer_count,
       (SELECT name FROM tiers WHERE r.total_score >= tiers.min ORDER BY tiers.min DESC LIMIT 1),
       prev.rank, prev.total_score, prev.rank - r.rank, r.total_score - prev.total_score,
       f.data_until
FROM ranked r
JOIN periods p ON p.period = r.period
LEFT JOIN ranked prev ON prev.period = p.previous_period AND prev.unit_code = r.unit_code AND prev.peer_group = r.peer_group
LEFT JOIN fresh f ON f.period = r.period AND f.unit_code = r.unit_code;
