-- Merge of survey results (dataset par_survey). Input: stage_par_survey and
-- merge_run. Key: period × unit_code; the latest staged row (by file, then
-- row) replaces the warehouse's. Leaves current_par_survey.
CREATE OR REPLACE TEMP TABLE current_par_survey AS
SELECT * FROM stage_par_survey WHERE q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY period, unit_code ORDER BY file_seq DESC, source_row DESC) = 1;

DELETE FROM par_survey_results p WHERE EXISTS
  (SELECT 1 FROM current_par_survey c WHERE c.period = p.period AND c.unit_code = p.unit_code);

INSERT INTO par_survey_results
SELECT period, unit_code, points, rate, source, source_file, source_row, file_sha256,
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM current_par_survey;
