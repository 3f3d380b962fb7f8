-- par_criteria and par_criterion_scores: the CCHC-index (PAR) criteria tree
-- of each rebuilt period and peer group, and every unit's points per node.
-- From par_sheet_rows, par_sheets, par_survey_results, units,
-- indicator_values and index_scores (data-fed criteria), and the temporary
-- tables the model fills from the PAR methodology: par_params (one row),
-- par_periods, par_rules, par_brackets, par_fixed_tree, and
-- par_survey_names (the field names that name the survey field, decided in
-- Go by the reader's own test, datasets.IsSurveyField).
--
-- Members of a period: every unit with an input row (sheet, survey,
-- adjustment), and every unit existing at the period's end whose level has
-- at least one sheet in the period (listed incomplete without a sheet).
-- Peer group = the unit's level.
--
-- The tree comes from the methodology when it fixes one (each sheet is
-- checked against it, par_tree_conflicts), else from the sheets (all
-- sheets of a period and peer group share it; the load rejects one that
-- differs). A node is scored itself when it is fed from data, is the
-- survey field, or is a leaf under neither. Parents sum their scored,
-- applicable descendants (unknown when one of them is). "Không áp dụng"
-- on a node takes it and its descendants out of the applicable maximum.
CREATE OR REPLACE TEMP TABLE par_members AS
WITH inputs AS (
    SELECT period, unit_code FROM par_sheets
    UNION SELECT period, unit_code FROM par_sheet_rows
    UNION SELECT period, unit_code FROM par_survey_results
    UNION SELECT period, unit_code FROM par_adjustment_rows
), lvl AS (
    SELECT unit_code, arg_max(level, coalesce(valid_from, DATE '1900-01-01')) AS level FROM units GROUP BY unit_code
), sheet_levels AS (
    SELECT DISTINCT s.period, l.level
    FROM (SELECT period, unit_code FROM par_sheets UNION SELECT period, unit_code FROM par_sheet_rows) s
    JOIN lvl l USING (unit_code)
), m AS (
    SELECT period, unit_code FROM inputs
    UNION
    SELECT p.period, u.unit_code
    FROM par_periods p
    JOIN units u ON (u.valid_from IS NULL OR u.valid_from < p.end_at) AND (u.valid_to IS NULL OR u.valid_to >= p.end_at)
    JOIN sheet_levels sl ON sl.period = p.period AND sl.level = u.level
)
SELECT m.period, m.unit_code, coalesce(lvl.level, '') AS peer_group,
       EXISTS (SELECT 1 FROM par_sheet_rows r WHERE r.period = m.period AND r.unit_code = m.unit_code)
         OR EXISTS (SELECT 1 FROM par_sheets s WHERE s.period = m.period AND s.unit_code = m.unit_code) AS has_sheet
FROM m
JOIN par_periods p ON p.period = m.period AND p.rebuild
LEFT JOIN lvl USING (unit_code);

-- The sheets' common tree of a period and peer group: the tree (codes and
-- leaf maxima in sheet order) that more current sheets without quarantined rows
-- share than any other (the load rejects a new sheet outside it, but a
-- stored sheet can fall outside a majority formed later). Its reference
-- is the smallest unit code among those sheets. On a tie there is none:
-- the group is never scored against one unit's maxima. The signature is
-- the one the load compares (datasets.Sheet.Tree: every node's code in
-- sheet order, with its maximum for a leaf; a parent's written figure is
-- checked as a subtotal, not compared): change both together.
CREATE OR REPLACE TEMP TABLE par_tree_sig AS
SELECT r.period, m.peer_group, r.unit_code,
       string_agg(r.code || '=' || coalesce(CASE WHEN r.is_leaf THEN CAST(r.max_points AS VARCHAR) END, '-'), ' ' ORDER BY r.seq) AS tree
FROM par_sheet_rows r
JOIN par_members m USING (period, unit_code)
JOIN par_sheets s USING (period, unit_code)
WHERE s.rows_quarantined = 0
GROUP BY r.period, m.peer_group, r.unit_code;

CREATE OR REPLACE TEMP TABLE par_tree_ref AS
WITH v AS (
    SELECT period, peer_group, tree, count(*) AS votes, min(unit_code) AS ref_unit FROM par_tree_sig GROUP BY ALL
), r AS (
    SELECT *, rank() OVER (PARTITION BY period, peer_group ORDER BY votes DESC) AS rk,
           count(*) OVER (PARTITION BY period, peer_group) AS trees
    FROM v
)
SELECT period, peer_group, any_value(trees) AS trees,
       CASE WHEN count(*) = 1 THEN any_value(ref_unit) END AS ref_unit,
       CASE WHEN count(*) = 1 THEN any_value(tree) END AS tree
FROM r WHERE rk = 1 GROUP BY period, peer_group;

CREATE OR REPLACE TEMP TABLE par_tree0 AS
SELECT g.period, g.peer_group, t.code, t.parent_code, t.depth, t.seq, t.name, t.max_points,
       (SELECT string_agg(DISTINCT r.rule_text, '\n') FROM par_sheet_rows r WHERE r.period = g.period AND r.code = t.code) AS rule_text
FROM (SELECT DISTINCT period, peer_group FROM par_members) g
CROSS JOIN par_fixed_tree t
UNION ALL
-- The common tree's reference sheet; a group where no sheet votes (each
-- has quarantined rows: all incomplete) shows the union of its sheets.
SELECT m.period, m.peer_group, r.code,
       arg_min(r.parent_code, r.unit_code), arg_min(r.depth, r.unit_code), arg_min(r.seq, r.unit_code),
       arg_min(r.name, r.unit_code), arg_min(r.max_points, r.unit_code), arg_min(r.rule_text, r.unit_code)
FROM par_sheet_rows r
JOIN par_members m USING (period, unit_code)
LEFT JOIN par_tree_ref t ON t.period = m.period AND t.peer_group = m.peer_group
WHERE NOT EXISTS (SELECT 1 FROM par_fixed_tree)
  AND (t.period IS NULL OR r.unit_code = t.ref_unit)
GROUP BY m.period, m.peer_group, r.code;

CREATE OR REPLACE TEMP TABLE par_tree AS
WITH survey AS (
    SELECT period, peer_group,
           coalesce((SELECT nullif(survey, '') FROM par_params),
                    min(code) FILTER (WHERE depth = 1 AND name IN (SELECT name FROM par_survey_names))) AS survey_code
    FROM par_tree0 GROUP BY period, peer_group
), t AS (
    SELECT t.*, s.survey_code,
           NOT EXISTS (SELECT 1 FROM par_tree0 c WHERE c.period = t.period AND c.peer_group = t.peer_group AND c.parent_code = t.code) AS tree_leaf,
           t.code = s.survey_code AS is_survey,
           starts_with(t.code, s.survey_code || '.') AS under_survey,
           EXISTS (SELECT 1 FROM par_rules r WHERE r.code = t.code) AS is_data,
           EXISTS (SELECT 1 FROM par_rules r WHERE starts_with(t.code, r.code || '.')) AS under_data
    FROM par_tree0 t LEFT JOIN survey s USING (period, peer_group)
)
SELECT period, peer_group, code, parent_code, depth, seq, name,
       CASE WHEN is_survey AND max_points IS NULL
            THEN (SELECT CASE WHEN NOT bool_or(c.max_points IS NULL) THEN list_sum(list_sort(list(c.max_points))) END FROM par_tree0 c WHERE c.period = t.period AND c.peer_group = t.peer_group
                  AND starts_with(c.code, t.code || '.')
                  AND NOT EXISTS (SELECT 1 FROM par_tree0 d WHERE d.period = c.period AND d.peer_group = c.peer_group AND d.parent_code = c.code))
            ELSE max_points END AS max_points,
       rule_text,
       CASE WHEN is_survey OR coalesce(under_survey, false) THEN 'survey'
            WHEN is_data OR under_data THEN 'data'
            ELSE 'appraisal' END AS source,
       CASE WHEN coalesce(is_survey, false) THEN 'survey'
            WHEN is_data THEN 'data'
            WHEN tree_leaf AND NOT coalesce(under_survey, false) AND NOT under_data THEN 'sheet' END AS kind
FROM t;

-- Units whose current sheet disagrees with the tree: incomplete
-- (55_par_scores.sql), with the differences. Without a fixed tree, a sheet
-- outside its group's common tree (or in a group without one). With a
-- tree fixed by the methodology, that tree is the reference and each sheet
-- is compared with it, not with the other sheets: a criterion scored from
-- the sheet must be a leaf there (split into components, it would be
-- scored by the subtotal written on its row), a scored criterion (from the
-- sheet, the data or the survey) written with a maximum must have the
-- tree's, and a row outside the tree is extra; components under a data-fed
-- or survey criterion are the sheet's own (the data or the survey score
-- it). A scored criterion the sheet lacks is a missing score already.
-- par_fixed_diffs holds a sheet's rows that differ from the fixed tree;
-- the points of such a criterion scored from the sheet are no score
-- (par_scored: unknown, so its field is too), since they are out of
-- another maximum or a subtotal.
CREATE OR REPLACE TEMP TABLE par_fixed_diffs AS
SELECT r.period, r.unit_code, r.code, r.seq, t.kind,
       CASE WHEN t.code IS NULL THEN 'thừa ' || r.code
            WHEN t.kind IS NULL THEN NULL
            WHEN t.kind = 'sheet' AND NOT r.is_leaf
            THEN r.code || ' chia thành '
                 || (SELECT string_agg(c.code, ', ' ORDER BY c.seq) FROM par_sheet_rows c
                     WHERE c.period = r.period AND c.unit_code = r.unit_code AND c.parent_code = r.code)
                 || ' với điểm tối đa ' || coalesce(replace(format('{:g}', r.max_points), '.', ','), '-')
                 || ' thay vì một tiêu chí điểm tối đa ' || replace(format('{:g}', t.max_points), '.', ',')
            WHEN r.max_points IS NOT NULL AND abs(r.max_points - t.max_points) > 1e-9
            THEN r.code || ' điểm tối đa ' || replace(format('{:g}', r.max_points), '.', ',')
                 || ' thay vì ' || replace(format('{:g}', t.max_points), '.', ',') END AS diff
FROM par_sheet_rows r
JOIN par_members m USING (period, unit_code)
LEFT JOIN par_tree t ON t.period = r.period AND t.peer_group = m.peer_group AND t.code = r.code
WHERE EXISTS (SELECT 1 FROM par_fixed_tree)
  AND NOT EXISTS (SELECT 1 FROM par_tree s WHERE s.period = r.period AND s.peer_group = m.peer_group
                  AND s.kind IS NOT NULL AND starts_with(r.code, s.code || '.'));

CREATE OR REPLACE TEMP TABLE par_tree_conflicts AS
WITH fmt AS (
    SELECT period, unit_code, code, seq, CASE WHEN is_leaf THEN replace(format('{:g}', max_points), '.', ',') END AS mx FROM par_sheet_rows
), pairs AS (
    SELECT s.period, s.unit_code, t.ref_unit FROM par_tree_sig s JOIN par_tree_ref t USING (period, peer_group)
    WHERE t.ref_unit IS NOT NULL AND s.tree <> t.tree
), f AS (
    SELECT p.period, p.unit_code, x.code, x.mx, x.seq FROM pairs p JOIN fmt x ON x.period = p.period AND x.unit_code = p.ref_unit
), u AS (
    SELECT p.period, p.unit_code, x.code, x.mx, x.seq FROM pairs p JOIN fmt x ON x.period = p.period AND x.unit_code = p.unit_code
), d AS (
    SELECT coalesce(f.period, u.period) AS period, coalesce(f.unit_code, u.unit_code) AS unit_code,
           string_agg(CASE WHEN u.code IS NULL THEN 'thiếu ' || f.code
                           WHEN f.code IS NULL THEN 'thừa ' || u.code
                           WHEN u.mx IS DISTINCT FROM f.mx THEN u.code || ' điểm tối đa ' || coalesce(u.mx, '-') || ' thay vì ' || coalesce(f.mx, '-') END,
                      '; ' ORDER BY coalesce(f.seq, u.seq)) AS diff
    FROM f FULL JOIN u ON u.period = f.period AND u.unit_code = f.unit_code AND u.code = f.code
    GROUP BY ALL
), majority AS (
    SELECT s.period, s.unit_code,
           CASE WHEN t.ref_unit IS NULL
                THEN 'các bảng điểm của nhóm có ' || t.trees || ' cây tiêu chí khác nhau, không có cây chung của số đông: chờ bảng điểm đúng điểm tối đa theo quyết định'
                ELSE 'bảng điểm có cây tiêu chí khác cây chung của nhóm (' || coalesce(d.diff, 'thứ tự tiêu chí khác') || '), chờ bảng điểm đúng' END AS note
    FROM par_tree_sig s
    JOIN par_tree_ref t USING (period, peer_group)
    LEFT JOIN d USING (period, unit_code)
    WHERE NOT EXISTS (SELECT 1 FROM par_fixed_tree)
      AND t.trees > 1 AND (t.ref_unit IS NULL OR s.tree <> t.tree)
)
SELECT period, unit_code, note FROM majority
UNION ALL
SELECT period, unit_code,
       'bảng điểm khác cây tiêu chí cố định của phương pháp chấm điểm (' || string_agg(diff, '; ' ORDER BY seq) || '), chờ bảng điểm đúng'
FROM par_fixed_diffs WHERE diff IS NOT NULL GROUP BY period, unit_code;

-- One row per member with a sheet and scored node. Survey points above the
-- survey field's maximum are no score (a typo, another scale): the field
-- is unknown (survey_over) and the unit incomplete until the list is
-- corrected, never ranked above 100.
CREATE OR REPLACE TEMP TABLE par_scored AS
WITH na AS (
    SELECT period, unit_code, code FROM par_sheet_rows WHERE not_applicable
), base AS (
    SELECT m.period, m.unit_code, t.code, t.kind, t.max_points AS tree_max,
           -- The survey scores the survey field: a "Không áp dụng" written
           -- in the sheet there (whose cells are otherwise ignored) does
           -- not take a unit's survey result out of its maximum; without
           -- a result it stands, as the council's word.
           (t.kind = 'survey' AND EXISTS (SELECT 1 FROM par_survey_results sv WHERE sv.period = m.period AND sv.unit_code = m.unit_code))
           OR NOT EXISTS (SELECT 1 FROM na WHERE na.period = m.period AND na.unit_code = m.unit_code
                       AND (t.code = na.code OR starts_with(t.code, na.code || '.'))) AS applicable,
           s.self_points, s.code IS NOT NULL AS in_sheet, s.source_file, s.source_row,
           EXISTS (SELECT 1 FROM par_fixed_diffs x WHERE x.period = m.period AND x.unit_code = m.unit_code
                   AND x.code = t.code AND x.kind = 'sheet' AND x.diff IS NOT NULL) AS tree_conflict,
           -- A data-fed node without data falls back to the sheet: its own
           -- appraised points when it is a leaf there, else the sum of its
           -- applicable sheet leaves, unknown (NULL) when any of them has
           -- no points: a leaf the reader loaded as NULL (empty,
           -- unreadable, above its maximum) is unknown, not 0. A figure
           -- written on the row of a node split into components is a
           -- subtotal the reader only checks (a warning, never bounded by
           -- the maximum): never a score.
           CASE WHEN t.kind = 'data' AND (s.appraised_points IS NULL OR NOT s.is_leaf) THEN
               (SELECT CASE WHEN NOT bool_or(d.appraised_points IS NULL) THEN list_sum(list_sort(list(d.appraised_points))) END
                FROM par_sheet_rows d
                WHERE d.period = m.period AND d.unit_code = m.unit_code AND starts_with(d.code, t.code || '.')
                  AND d.is_leaf
                  AND NOT EXISTS (SELECT 1 FROM na WHERE na.period = d.period AND na.unit_code = d.unit_code
                                  AND (d.code = na.code OR starts_with(d.code, na.code || '.'))))
           ELSE s.appraised_points END AS appraised_points,
           r.indicator, r.service_index, r.else_points
    FROM par_members m
    JOIN par_tree t ON t.period = m.period AND t.peer_group = m.peer_group AND t.kind IS NOT NULL
    LEFT JOIN par_sheet_rows s ON s.period = m.period AND s.unit_code = m.unit_code AND s.code = t.code
    LEFT JOIN par_rules r ON r.code = t.code
    WHERE m.has_sheet
), fed AS (
    SELECT b.*,
           CASE WHEN b.kind = 'data' AND NOT b.service_index THEN
               (SELECT iv.rate FROM indicator_values iv, par_params pp
                WHERE iv.methodology = pp.svc_methodology AND iv.methodology_version = pp.svc_version
                  AND iv.period = b.period AND iv.unit_code = b.unit_code AND iv.indicator_code = b.indicator) END AS rate,
           CASE WHEN b.kind = 'data' AND b.service_index THEN
               (SELECT s.total_score FROM index_scores s, par_params pp
                WHERE s.methodology = pp.svc_methodology AND s.methodology_version = pp.svc_version
                  AND s.period = b.period AND s.unit_code = b.unit_code) END AS service_score,
           (SELECT CASE WHEN sv.points IS NOT NULL THEN sv.points ELSE b.tree_max * sv.rate END
            FROM par_survey_results sv WHERE sv.period = b.period AND sv.unit_code = b.unit_code) AS survey
    FROM base b
)
SELECT period, unit_code, code, kind, applicable, source_file, source_row,
       CASE WHEN applicable THEN tree_max ELSE 0 END AS max_points,
       self_points,
       CASE WHEN NOT applicable THEN NULL
            WHEN tree_conflict THEN NULL
            WHEN kind = 'survey' AND survey > tree_max + 1e-9 THEN NULL
            WHEN kind = 'survey' THEN survey
            -- The rate rounded to 9 decimals, as the scores are
            -- (55_par_scores.sql): 1 − 1/20 − 1/20 is 0.8999999999999999
            -- in floating point and must reach the 90% bracket.
            WHEN kind = 'data' AND rate IS NOT NULL THEN least(tree_max,
                 coalesce((SELECT pb.points FROM par_brackets pb WHERE pb.code = fed.code AND round(rate, 9) >= pb.min ORDER BY pb.min DESC LIMIT 1), else_points))
            WHEN kind = 'data' AND service_score IS NOT NULL THEN tree_max * service_score / 100
            ELSE appraised_points END AS points,
       CASE WHEN NOT applicable THEN 'Không áp dụng'
            WHEN tree_max IS NULL THEN 'không biết điểm tối đa (bảng điểm để trống)'
            WHEN tree_conflict THEN 'không tính: bảng điểm khác cây tiêu chí cố định của phương pháp chấm điểm'
            WHEN kind = 'survey' AND survey IS NULL THEN 'chưa có kết quả điều tra xã hội học'
            WHEN kind = 'survey' AND survey > tree_max + 1e-9 THEN 'điểm ĐTXHH ' || replace(printf('%g', survey), '.', ',')
                 || ' lớn hơn điểm tối đa ' || replace(printf('%g', tree_max), '.', ',') || ' của lĩnh vực; chờ danh sách sửa'
            WHEN kind = 'survey' THEN 'điểm điều tra xã hội học'
            WHEN kind = 'data' AND rate IS NOT NULL THEN 'tính từ dữ liệu hồ sơ: tỷ lệ ' || indicator || ' ' || replace(printf('%.2f', rate * 100), '.', ',') || '%'
            WHEN kind = 'data' AND service_score IS NOT NULL THEN 'tính từ dữ liệu hồ sơ: điểm tối đa × chỉ số phục vụ ' || replace(printf('%.2f', service_score), '.', ',') || ' / 100'
            WHEN kind = 'data' AND appraised_points IS NOT NULL THEN 'không có dữ liệu hồ sơ; dùng điểm thẩm định'
            WHEN kind = 'data' THEN 'không có dữ liệu hồ sơ và không có điểm thẩm định'
            WHEN NOT in_sheet THEN 'thiếu trong phiếu (dòng bị cách ly hoặc không có)'
            WHEN appraised_points IS NULL THEN 'chưa có điểm thẩm định' END AS note,
       coalesce(applicable AND kind = 'survey' AND survey > tree_max + 1e-9, false) AS survey_over,
       tree_conflict
FROM fed;

INSERT INTO par_criteria
SELECT t.period, t.peer_group, t.code, t.parent_code, t.depth, t.seq, t.name, t.max_points, t.rule_text, t.source,
       t.kind IS NOT NULL, pp.methodology, pp.version
FROM par_tree t, par_params pp;

-- Each scored row counts for itself and every ancestor (its path's
-- prefixes: I.2.1 → I, I.2, I.2.1), joined on equal codes.
INSERT INTO par_criterion_scores
WITH anc AS (
    SELECT sc.*, unnest(list_transform(range(1, len(string_split(sc.code, '.')) + 1),
                        n -> array_to_string(string_split(sc.code, '.')[1:n], '.'))) AS anc_code
    FROM par_scored sc
), agg AS (
    SELECT period, unit_code, anc_code AS code, count(*) AS n,
           any_value(max_points) FILTER (WHERE code = anc_code) AS own_max,
           any_value(points) FILTER (WHERE code = anc_code) AS own_points,
           any_value(applicable) FILTER (WHERE code = anc_code) AS own_applicable,
           any_value(note) FILTER (WHERE code = anc_code) AS own_note,
           -- Sums in a fixed order (see 55_par_scores.sql). A node with an
           -- applicable scored row whose points (or maximum) are unknown
           -- has unknown points (maximum), never the sum of the known ones:
           -- an incomplete unit's field is published empty, not as part of
           -- its points.
           CASE WHEN NOT coalesce(bool_or(max_points IS NULL) FILTER (WHERE applicable), false)
                THEN list_sum(list_sort(list(max_points) FILTER (WHERE applicable))) END AS sum_max,
           list_sum(list_sort(list(self_points) FILTER (WHERE applicable))) AS sum_self,
           CASE WHEN NOT coalesce(bool_or(points IS NULL) FILTER (WHERE applicable), false)
                THEN list_sum(list_sort(list(points) FILTER (WHERE applicable))) END AS sum_points,
           coalesce(bool_or(applicable), false) AS any_applicable
    FROM anc GROUP BY period, unit_code, anc_code
)
SELECT m.period, m.unit_code, t.code,
       CASE WHEN t.kind IS NOT NULL THEN a.own_max ELSE a.sum_max END,
       CASE WHEN t.kind IS NOT NULL OR a.n IS NULL THEN s.self_points ELSE a.sum_self END,
       CASE WHEN t.kind IS NOT NULL THEN a.own_points
            WHEN a.n IS NULL THEN s.appraised_points
            ELSE a.sum_points END,
       CASE WHEN t.kind IS NOT NULL THEN coalesce(a.own_applicable, false)
            WHEN a.n IS NULL THEN NOT coalesce(s.not_applicable, false)
            ELSE a.any_applicable END,
       CASE WHEN t.kind IS NOT NULL THEN a.own_note
            WHEN a.n IS NULL AND t.source = 'survey' THEN 'thay bằng điểm điều tra xã hội học'
            WHEN a.n IS NULL AND t.source = 'data' THEN 'thay bằng điểm tính từ dữ liệu hồ sơ' END,
       s.source_file, s.source_row, pp.methodology, pp.version
FROM par_members m
JOIN par_tree t ON t.period = m.period AND t.peer_group = m.peer_group
LEFT JOIN agg a ON a.period = m.period AND a.unit_code = m.unit_code AND a.code = t.code
LEFT JOIN par_sheet_rows s ON s.period = m.period AND s.unit_code = m.unit_code AND s.code = t.code
CROSS JOIN par_params pp
WHERE m.has_sheet;
