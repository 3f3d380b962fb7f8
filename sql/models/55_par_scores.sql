-- par_scores: each member unit's CCHC-index (PAR) score of a rebuilt
-- period: appraised points of the applicable scored criteria outside the
-- survey field + survey points + bonus − penalty (capped by the
-- methodology), out of the applicable maximum (survey field included),
-- as a score out of 100, rounded to 9 decimals once (75,6 / 84 × 100 is
-- 89.99999999999999 in floating point: it must be 90 for the rank, the tier
-- and the mean alike, as the published "90,00" says); the competition rank
-- (1, 2, 2, 4) within the peer group by that score; the tier; the peer
-- count and mean of the ranked units; and the movement since the previous
-- period of the same kind (score change only under the same methodology
-- version). Sums of points add in a fixed order (the values sorted:
-- list_sum(list_sort(list(x)))), as in 40_index_scores.sql: a parallel
-- sum's order varies from run to run.
-- A unit with a quarantined sheet row, a sheet outside its group's common
-- tree or the methodology's fixed tree (par_tree_conflicts), a scored
-- criterion without points or without a maximum, no sheet,
-- no survey result, survey points above the survey field's maximum, a
-- survey or adjustment row still in quarantine, or dissolved before the
-- period's end is incomplete: listed, never ranked, with
-- no total. From par_members, par_scored, par_tree, par_tree_conflicts, par_sheets,
-- par_adjustment_rows, par_list_quarantine, quarantine, par_periods, par_params, par_tiers and the rows of
-- par_scores kept from earlier periods.
CREATE OR REPLACE TEMP TABLE par_new AS
WITH sums AS (
    SELECT period, unit_code,
           list_sum(list_sort(list(self_points) FILTER (WHERE applicable AND kind <> 'survey'))) AS self_points,
           -- A criterion without points (or without a maximum) makes the
           -- sum unknown, as on a field (50_par_criteria.sql): the sum of
           -- the others would publish it as 0.
           CASE WHEN NOT coalesce(bool_or(points IS NULL) FILTER (WHERE applicable AND kind <> 'survey'), false)
                THEN list_sum(list_sort(list(points) FILTER (WHERE applicable AND kind <> 'survey'))) END AS appraised_points,
           list_sum(list_sort(list(points) FILTER (WHERE applicable AND kind = 'survey'))) AS survey_points,
           CASE WHEN NOT coalesce(bool_or(max_points IS NULL) FILTER (WHERE applicable), false)
                THEN list_sum(list_sort(list(max_points) FILTER (WHERE applicable))) END AS max_points,
           list(code ORDER BY code) FILTER (WHERE applicable AND points IS NULL AND kind <> 'survey' AND max_points IS NOT NULL AND NOT tree_conflict) AS missing,
           -- A maximum the sheet leaves blank is unknown, never 0: left
           -- out of the sum, the points would count out of a smaller
           -- maximum (a survey field without one: 99 of 70).
           list(code ORDER BY code) FILTER (WHERE applicable AND max_points IS NULL) AS no_max,
           bool_or(kind = 'survey' AND applicable AND points IS NULL AND NOT survey_over AND max_points IS NOT NULL) AS survey_missing,
           bool_or(survey_over) AS survey_over
    FROM par_scored GROUP BY period, unit_code
), adj AS (
    SELECT period, unit_code,
           coalesce(list_sum(list_sort(list(points) FILTER (WHERE points > 0))), 0) AS bonus,
           coalesce(-list_sum(list_sort(list(points) FILTER (WHERE points < 0))), 0) AS penalty
    FROM par_adjustment_rows GROUP BY period, unit_code
), q AS (
    SELECT period, unit_code, max(rows_quarantined) AS quarantined FROM par_sheets GROUP BY period, unit_code
), lq AS (
    -- Quarantined survey and adjustment rows of the unit still in
    -- quarantine (par_list_quarantine, migration 0100): unknown, not 0.
    SELECT t.period, t.unit_code,
           count(*) FILTER (WHERE t.dataset = 'par_survey') AS survey_q,
           count(*) FILTER (WHERE t.dataset = 'par_adjustments') AS adj_q
    FROM par_list_quarantine t
    WHERE EXISTS (SELECT 1 FROM quarantine x WHERE x.source = t.source AND x.source_file = t.source_file
                  AND x.source_row = t.source_row AND x.file_sha256 = t.file_sha256)
    GROUP BY t.period, t.unit_code
), u AS (
    SELECT m.period, m.unit_code, m.peer_group, m.has_sheet, s.self_points, s.appraised_points, s.survey_points,
           CASE WHEN pp.bonus_cap IS NULL THEN coalesce(a.bonus, 0) ELSE least(pp.bonus_cap, coalesce(a.bonus, 0)) END AS bonus,
           CASE WHEN pp.penalty_cap IS NULL THEN coalesce(a.penalty, 0) ELSE least(pp.penalty_cap, coalesce(a.penalty, 0)) END AS penalty,
           s.max_points,
           concat_ws('; ',
               -- A unit dissolved before the period's end is listed (its
               -- inputs are not lost) but never ranked.
               CASE WHEN EXISTS (SELECT 1 FROM units x WHERE x.unit_code = m.unit_code AND x.valid_to < (SELECT end_at FROM par_periods pe WHERE pe.period = m.period))
                     AND NOT EXISTS (SELECT 1 FROM units x WHERE x.unit_code = m.unit_code
                                     AND (x.valid_from IS NULL OR x.valid_from < (SELECT end_at FROM par_periods pe WHERE pe.period = m.period))
                                     AND (x.valid_to IS NULL OR x.valid_to >= (SELECT end_at FROM par_periods pe WHERE pe.period = m.period)))
                    THEN 'đơn vị đã giải thể/sáp nhập trước cuối kỳ' END,
               CASE WHEN NOT m.has_sheet THEN 'chưa có phiếu chấm điểm' END,
               CASE WHEN coalesce(q.quarantined, 0) > 0 THEN 'phiếu có ' || q.quarantined || ' dòng bị cách ly, chờ file sửa' END,
               tc.note,
               CASE WHEN len(s.missing) > 0 THEN 'thiếu điểm tiêu chí ' || array_to_string(s.missing, ', ') END,
               CASE WHEN len(s.no_max) > 0 THEN 'không biết điểm tối đa của tiêu chí ' || array_to_string(s.no_max, ', ') || ', chờ bảng điểm ghi điểm tối đa' END,
               CASE WHEN coalesce(lq.survey_q, 0) > 0 THEN 'kết quả điều tra xã hội học bị cách ly, chờ file sửa'
                    WHEN s.survey_missing THEN 'chưa có kết quả điều tra xã hội học' END,
               CASE WHEN coalesce(lq.adj_q, 0) > 0 THEN 'điểm thưởng/trừ bị cách ly, chờ file sửa' END,
               CASE WHEN s.survey_over THEN 'điểm ĐTXHH lớn hơn điểm tối đa, chờ danh sách sửa' END,
               CASE WHEN m.has_sheet AND coalesce(len(s.no_max), 0) = 0 AND coalesce(s.max_points, 0) <= 0 THEN 'không có tiêu chí áp dụng' END) AS reasons
    FROM par_members m
    CROSS JOIN par_params pp
    LEFT JOIN sums s USING (period, unit_code)
    LEFT JOIN adj a USING (period, unit_code)
    LEFT JOIN q USING (period, unit_code)
    LEFT JOIN lq USING (period, unit_code)
    LEFT JOIN par_tree_conflicts tc USING (period, unit_code)
), scored AS (
    SELECT *, CASE WHEN reasons = '' THEN 'ranked' ELSE 'incomplete' END AS status,
           CASE WHEN reasons = '' THEN coalesce(appraised_points, 0) + coalesce(survey_points, 0) + bonus - penalty END AS total_points
    FROM u
), ranked AS (
    SELECT *, round(total_points / max_points * 100, 9) AS score FROM scored
), means AS (
    SELECT period, peer_group, round(list_sum(list_sort(list(score))) / count(score), 9) AS peer_mean
    FROM ranked WHERE score IS NOT NULL GROUP BY period, peer_group
)
SELECT r.period, r.unit_code, r.peer_group, pp.methodology, pp.version AS methodology_version, r.status,
       r.self_points, r.appraised_points, r.survey_points, r.bonus AS bonus_points, r.penalty AS penalty_points,
       r.total_points, r.max_points, r.score,
       CASE WHEN r.status = 'ranked' THEN rank() OVER (PARTITION BY r.period, r.peer_group ORDER BY r.score DESC NULLS LAST) END AS rank,
       count(r.score) OVER (PARTITION BY r.period, r.peer_group) AS peer_count,
       -- The lowest tier takes every score below the next one ("Yếu <
       -- 50"), a negative one too (penalty above the points): a ranked
       -- unit is never published without a tier.
       CASE WHEN r.score IS NOT NULL THEN
           coalesce((SELECT name FROM par_tiers WHERE r.score >= par_tiers.min ORDER BY par_tiers.min DESC LIMIT 1),
                    (SELECT name FROM par_tiers ORDER BY par_tiers.min LIMIT 1)) END AS tier,
       mn.peer_mean,
       p.provisional,
       nullif(r.reasons, '') AS note
FROM ranked r
CROSS JOIN par_params pp
JOIN par_periods p ON p.period = r.period
LEFT JOIN means mn ON mn.period = r.period AND mn.peer_group = r.peer_group;

-- Movement compares like with like (docs/contract.md, "Unit history"):
-- the previous period is restated on the units standing at the current
-- period's end. A previous ranked unit dissolved by then passes its score
-- along its successor chain; a current unit's previous score is the mean
-- of the previous scores that reach it (its own included), and previous
-- ranks are recomputed among the current units of the peer group.
INSERT INTO par_scores
WITH RECURSIVE allrows AS (
    SELECT period, unit_code, peer_group, methodology, methodology_version, status, rank, score FROM par_scores
    UNION ALL
    SELECT period, unit_code, peer_group, methodology, methodology_version, status, rank, score FROM par_new
), chain AS (
    SELECT p.period, u.unit_code, u.unit_code AS at_code, 0 AS hops
    FROM par_periods p CROSS JOIN (SELECT DISTINCT unit_code FROM units) u
    UNION ALL
    SELECT c.period, c.unit_code, nullif(u.successor_code, ''), c.hops + 1
    FROM chain c
    JOIN par_periods p ON p.period = c.period
    JOIN units u ON u.unit_code = c.at_code
    WHERE u.valid_to IS NOT NULL AND u.valid_to < p.end_at AND nullif(u.successor_code, '') IS NOT NULL AND c.hops < 64
), standing AS (
    SELECT period, unit_code, arg_max(at_code, hops) AS standing_code FROM chain GROUP BY period, unit_code
), restated AS (
    SELECT n.period, n.unit_code, n.peer_group, round(list_sum(list_sort(list(pr.score))) / count(pr.score), 9) AS score,
           min(pr.methodology) AS methodology, min(pr.methodology_version) AS methodology_version
    FROM par_new n
    JOIN par_periods p ON p.period = n.period
    JOIN allrows pr ON pr.period = p.previous_period AND pr.status = 'ranked' AND pr.peer_group = n.peer_group
    LEFT JOIN standing a ON a.period = n.period AND a.unit_code = pr.unit_code
    WHERE coalesce(a.standing_code, pr.unit_code) = n.unit_code
    GROUP BY n.period, n.unit_code, n.peer_group
), prev AS (
    SELECT *, rank() OVER (PARTITION BY period, peer_group ORDER BY score DESC) AS rank FROM restated
)
SELECT n.period, n.unit_code, n.peer_group, n.methodology, n.methodology_version, n.status,
       n.self_points, n.appraised_points, n.survey_points, n.bonus_points, n.penalty_points,
       n.total_points, n.max_points, n.score, n.rank, n.peer_count, n.tier,
       prev.rank, prev.score,
       CASE WHEN n.rank IS NOT NULL THEN prev.rank - n.rank END,
       CASE WHEN n.rank IS NOT NULL AND prev.methodology = n.methodology AND prev.methodology_version = n.methodology_version
            -- Rounded like the scores: 84,005 − 81,25 is
            -- 2.7549999999999955 in floating point and would publish
            -- "+2,75" for a change of 2,755 ("+2,76").
            THEN round(n.score - prev.score, 9) END,
       n.peer_mean, n.provisional, n.note
FROM par_new n
LEFT JOIN prev ON prev.period = n.period AND prev.unit_code = n.unit_code AND prev.peer_group = n.peer_group;
