-- Merge of scoring sheets (dataset par_appraisal). Input: the temporary
-- table stage_par_appraisal (one row per node of each staged sheet, valid
-- or quarantined), stage_files and merge_run (run_id, loaded_at). A
-- unit's latest staged sheet for a period replaces the unit's whole sheet
-- for that period: its rows and its par_sheets row. Leaves
-- current_par_appraisal: the staged valid rows kept.

-- The latest sheet by file; a file read again after a registry or mapping
-- change (retried, or failed whole before: a sheet naming a unit the
-- registry did not know) ranks by the run that first read it, as the
-- other lists' retried files do: every file new in this run is newer.
CREATE OR REPLACE TEMP TABLE latest_par_appraisal AS
SELECT * FROM (SELECT DISTINCT s.period, s.unit_code, s.file_seq, f.rank_run_id, f.source, f.path, f.sha
  FROM stage_par_appraisal s JOIN stage_files f USING (file_seq))
QUALIFY row_number() OVER (PARTITION BY period, unit_code ORDER BY rank_run_id DESC, file_seq DESC) = 1;

-- Such a file's sheet does not replace the unit's sheet from a file first
-- loaded after it (nor, from the same run, from another file: their order
-- is unknown and the loaded sheet stays); it is superseded, and the loaded
-- sheet keeps its rows and its par_sheets row.
DELETE FROM latest_par_appraisal l WHERE l.rank_run_id < (SELECT run_id FROM merge_run) AND EXISTS (SELECT 1 FROM par_sheets p
  JOIN source_files sf ON sf.source = p.source AND sf.path = p.source_file AND sf.file_sha256 = p.file_sha256
  WHERE p.period = l.period AND p.unit_code = l.unit_code
  AND (sf.first_run_id > l.rank_run_id OR (sf.first_run_id = l.rank_run_id
    AND (p.source <> l.source OR p.source_file <> l.path OR p.file_sha256 <> l.sha))));

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
