-- Merge of bonus and penalty decisions (dataset par_adjustments). Input:
-- stage_par_adjustments and merge_run. Key: period × unit_code × reason;
-- the latest staged row (by file, then row) replaces the warehouse's.
-- Leaves current_par_adjustments.
CREATE OR REPLACE TEMP TABLE current_par_adjustments AS
SELECT * FROM stage_par_adjustments WHERE q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY period, unit_code, reason ORDER BY file_seq DESC, source_row DESC) = 1;

DELETE FROM par_adjustment_rows p WHERE EXISTS
  (SELECT 1 FROM current_par_adjustments c WHERE c.period = p.period AND c.unit_code = p.unit_code AND c.reason = p.reason);

INSERT INTO par_adjustment_rows
SELECT period, unit_code, reason, points, source, source_file, source_row, file_sha256,
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM current_par_adjustments;
