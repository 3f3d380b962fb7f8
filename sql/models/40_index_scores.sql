-- index_scores: per unit × period, each group's score, the total out of the
-- methodology's maximum, the competition rank (1, 2, 2, 4) within the peer
-- group (the unit's level), the tier, the movement since the previous
-- period of the same kind, how far the unit's data reaches and whether the
-- period is provisional, for the periods the model rebuilds. From
-- indicator_values, index_groups, units, periods and the temporary tables
-- model_scores (the periods to rebuild), model_fresh (data_until of every
-- period and unit), tiers and indicator_values_restated (the previous
-- period restated on this period's units, see dossier_outcomes_restated).
-- Parameters: $1 methodology, $2 version, $3 the methodology's maximum total.
-- A group with N/A indicators is scored over the rest and scaled up to its
-- maximum; a unit with a whole group N/A has its total scaled the same way.
-- The total is rounded to 9 decimals once, and that value is ranked, tiered
-- and stored: equal rates summed in a different order still tie, and a
-- total of 89.99999999999999 (published "90,00") is 90 for its tier too. Sums of doubles add in a fixed order (the
-- values sorted: list_sum(list_sort(list(x)))): a parallel sum's order
-- varies from run to run, and a rebuild of some periods must equal a
-- rebuild of all. Lists in a fixed order are sorted after aggregating
-- (structs sort by their first field): DuckDB's ordered aggregates
-- (list(x ORDER BY y)) sort every group apart and cost seconds here.
INSERT INTO index_scores
WITH ivs AS (
    SELECT false AS restated, * FROM indicator_values
    UNION ALL
    SELECT true AS restated, * FROM indicator_values_restated
), g AS (
    SELECT iv.restated, iv.period, iv.unit_code, iv.group_code, ig.position, ig.max_points AS group_max,
           list_sum(list_sort(list(iv.points))) AS pts,
           list_sum(list_sort(list(iv.max_points) FILTER (WHERE iv.points IS NOT NULL))) AS avail,
           list_sort(list(iv.indicator_code) FILTER (WHERE iv.points IS NULL)) AS na
    FROM ivs iv
    JOIN index_groups ig USING (methodology, methodology_version, group_code)
    WHERE iv.methodology = $1 AND iv.methodology_version = $2
      AND iv.period IN (SELECT period FROM model_scores)
    GROUP BY ALL
), gs AS (
    SELECT *, CASE WHEN avail > 0 THEN pts / avail * group_max END AS score FROM g
), totals AS (
    SELECT restated, period, unit_code,
           '{' || array_to_string(list_transform(list_sort(list({'p': position,
               's': '"' || group_code || '":' || coalesce(CAST(score AS VARCHAR), 'null')})), x -> x.s), ',') || '}' AS group_scores,
           flatten(list_transform(list_sort(list({'p': position, 'na': coalesce(na, [])})), x -> x.na)) AS na_indicators,
           CASE WHEN list_sum(list_sort(list(group_max) FILTER (WHERE score IS NOT NULL))) > 0
                THEN round(list_sum(list_sort(list(score))) * $3
                     / list_sum(list_sort(list(group_max) FILTER (WHERE score IS NOT NULL))), 9) END AS total_score
    FROM gs
    GROUP BY restated, period, unit_code
), members AS (
    -- Who is listed in a period: every unit that stands at its end
    -- (as in unit_attribution.stands), with or without dossiers in scope (one
    -- without is listed unranked, "không có dữ liệu", never dropped). A
    -- unit dissolved during or before the period is not listed: its
    -- dossiers count for its successor. (A dissolved unit without a
    -- successor keeps its dossiers in dossier_stats, unranked.)
    SELECT DISTINCT pp.period, u.unit_code, u.level
    FROM model_scores pp
    JOIN units u ON (u.valid_from IS NULL OR u.valid_from < pp.end_at)
                AND (u.valid_to IS NULL OR u.valid_to >= pp.end_at)
), ranked AS (
    SELECT m.period, m.unit_code,
           coalesce(t.group_scores, (SELECT '{' || string_agg('"' || group_code || '":null', ',' ORDER BY position) || '}'
                                     FROM index_groups WHERE methodology = $1 AND methodology_version = $2)) AS group_scores,
           t.na_indicators, t.total_score, m.level AS peer_group,
           CASE WHEN t.total_score IS NOT NULL THEN
               rank() OVER (PARTITION BY m.period, m.level ORDER BY t.total_score DESC NULLS LAST) END AS rank,
           count(t.total_score) OVER (PARTITION BY m.period, m.level) AS peer_count
    FROM members m
    LEFT JOIN totals t ON t.period = m.period AND t.unit_code = m.unit_code AND NOT t.restated
), prev AS (
    -- The previous period restated on this period's units and ranked again
    -- among them: previous rank and score compare like with like.
    SELECT m.period, m.unit_code, t.total_score,
           rank() OVER (PARTITION BY m.period, m.level ORDER BY t.total_score DESC) AS rank
    FROM members m
    JOIN totals t ON t.period = m.period AND t.unit_code = m.unit_code AND t.restated
    WHERE t.total_score IS NOT NULL
), fresh AS (
    -- How far each unit's data reaches (model_fresh, see model.go).
    SELECT period, unit_code, data_until FROM model_fresh
)
SELECT $1, $2, r.period, r.unit_code, r.peer_group, r.group_scores,
       CASE WHEN len(r.na_indicators) > 0 THEN r.na_indicators END,
       r.total_score, r.rank, r.peer_count,
       (SELECT name FROM tiers WHERE r.total_score >= tiers.min ORDER BY tiers.min DESC LIMIT 1),
       prev.rank, prev.total_score, prev.rank - r.rank,
       -- Rounded like the totals: 100 − 85.714285714 is 14.285714286000001
       -- in doubles, and a change of x,xx5 would publish on the wrong side.
       round(r.total_score - prev.total_score, 9),
       f.data_until, p.provisional
FROM ranked r
JOIN periods p ON p.period = r.period
LEFT JOIN prev ON prev.period = r.period AND prev.unit_code = r.unit_code
LEFT JOIN fresh f ON f.period = r.period AND f.unit_code = r.unit_code;
