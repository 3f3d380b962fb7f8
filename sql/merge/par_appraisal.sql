-- Merge of scoring sheets (dataset par_appraisal). Input: the temporary
-- table stage_par_appraisal (one row per node of each staged sheet, valid
-- or quarantined) and merge_run (run_id, loaded_at). A unit's latest
-- staged sheet for a period (highest file_seq) replaces the unit's whole
-- sheet for that period: its rows and its par_sheets row. Leaves
-- current_par_appraisal: the staged valid rows kept.
CREATE OR REPLACE TEMP TABLE latest_par_appraisal AS
SELECT period, unit_code, max(file_seq) AS file_seq FROM stage_par_appraisal GROUP BY period, unit_code;

CREATE OR REPLACE TEMP TABLE current_par_appraisal AS
SELECT s.* FROM stage_par_appraisal s JOIN latest_par_appraisal l USING (period, unit_code, file_seq)
WHERE s.q_reason IS NULL;

DELETE FROM par_sheet_rows p WHERE EXISTS
  (SELECT 1 FROM latest_par_appraisal l WHERE l.period = p.period AND l.unit_code = p.unit_code);

INSERT INTO par_sheet_rows
SELECT period, unit_code, code, parent_code, depth, seq, stt, name, max_points, self_points, appraised_points,
       not_applicable, is_leaf, rule_text, evidence, note, source, source_file, source_row, file_sha256,
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM current_par_appraisal ORDER BY period, unit_code, seq;

DELETE FROM par_sheets p WHERE EXISTS
  (SELECT 1 FROM latest_par_appraisal l WHERE l.period = p.period AND l.unit_code = p.unit_code);

INSERT INTO par_sheets
SELECT s.period, s.unit_code, any_value(s.source), any_value(s.source_file), any_value(s.file_sha256),
       count(*) FILTER (s.q_reason IS NULL), count(*) FILTER (s.q_reason IS NOT NULL),
       CAST(CAST(any_value(s.sheet_warnings) AS JSON) AS VARCHAR[]),
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM stage_par_appraisal s JOIN latest_par_appraisal l USING (period, unit_code, file_seq)
GROUP BY s.period, s.unit_code;

DROP TABLE latest_par_appraisal;
