-- Merge of survey results (dataset par_survey). Input: stage_par_survey,
-- stage_files and merge_run. Key: period × unit_code; the latest staged row
-- (by file, then row) replaces the warehouse's, and a file read again
-- replaces its earlier reading whole. Leaves current_par_survey.

-- Within a file a unit has one result: an earlier valid row a later row of
-- the same file repeats is quarantined as duplicate_in_file (the last row
-- kept), so the clerk sees it and superseded keeps meaning "replaced by
-- another file".
UPDATE stage_par_survey SET
  q_reason = format('Đơn vị {} có {} dòng kết quả điều tra xã hội học kỳ {} trong tệp; dòng này ({}) bị bỏ qua, giữ dòng cuối (dòng {}): kiểm tra dòng nào là của đơn vị, sửa tên đơn vị hoặc xóa dòng trùng rồi nộp lại tệp',
    stage_par_survey.unit_code, d.n, stage_par_survey.period,
    CASE WHEN stage_par_survey.points IS NOT NULL THEN replace(format('{:g}', stage_par_survey.points), '.', ',') || ' điểm'
         ELSE 'tỷ lệ ' || replace(format('{:g}', stage_par_survey.rate * 100), '.', ',') || '%' END,
    d.last_row),
  q_reason_code = 'duplicate_in_file', q_column = 'Đơn vị', q_raw_value = stage_par_survey.unit_code,
  q_raw_record = json_object('Đơn vị', stage_par_survey.unit_code, 'Điểm', stage_par_survey.points, 'Tỷ lệ hài lòng', stage_par_survey.rate)::VARCHAR
FROM (SELECT file_seq, source_row, n, last_row FROM (
    SELECT file_seq, source_row, count(*) OVER w AS n, max(source_row) OVER w AS last_row
    FROM stage_par_survey WHERE q_reason IS NULL WINDOW w AS (PARTITION BY file_seq, period, unit_code))
    WHERE source_row < last_row) d
WHERE stage_par_survey.file_seq = d.file_seq AND stage_par_survey.source_row = d.source_row;
-- The latest row of a key wins; a file read again after a registry or
-- mapping change (retried, or failed whole before) ranks by the run that
-- first read it (stage_files.rank_run_id): every file new in this run is
-- newer.
CREATE OR REPLACE TEMP TABLE current_par_survey AS
SELECT s.* FROM stage_par_survey s JOIN stage_files f USING (file_seq)
WHERE s.q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY s.period, s.unit_code
  ORDER BY f.rank_run_id DESC, s.file_seq DESC, s.source_row DESC) = 1;

-- Such a file's row does not replace the row of its key from a file
-- first loaded after it (nor, from the same run, from another file: their
-- order is unknown and the loaded row stays); it is superseded.
DELETE FROM current_par_survey c WHERE EXISTS (SELECT 1 FROM stage_files f, par_survey_results p
  JOIN source_files sf ON sf.source = p.source AND sf.path = p.source_file AND sf.file_sha256 = p.file_sha256
  WHERE f.rank_run_id < (SELECT run_id FROM merge_run) AND f.file_seq = c.file_seq AND p.period = c.period AND p.unit_code = c.unit_code
  AND (sf.first_run_id > f.rank_run_id OR (sf.first_run_id = f.rank_run_id AND (p.source_file <> f.path OR p.file_sha256 <> f.sha))));

-- A file read again (a corrected survey file, same source and path)
-- replaces all the rows of its earlier reading: a unit it no longer lists
-- (listed by mistake, or under the wrong period) loses the result it gave.
DELETE FROM par_survey_results p WHERE EXISTS
  (SELECT 1 FROM current_par_survey c WHERE c.period = p.period AND c.unit_code = p.unit_code)
  OR EXISTS (SELECT 1 FROM stage_files f WHERE f.dataset = 'par_survey' AND f.source = p.source AND f.path = p.source_file);

INSERT INTO par_survey_results
SELECT period, unit_code, points, rate, source, source_file, source_row, file_sha256,
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM current_par_survey;

-- Quarantined rows whose unit and period are known stay tied to them in
-- par_list_quarantine (the model lists the unit incomplete meanwhile): a
-- valid row of the key replaces the ties of earlier runs, a new reading of
-- a file replaces that file's ties, and a valid row of the key in a later
-- file of this run means the quarantined one needs no correction.
DELETE FROM par_list_quarantine t WHERE t.dataset = 'par_survey' AND (
  EXISTS (SELECT 1 FROM current_par_survey c WHERE c.period = t.period AND c.unit_code = t.unit_code)
  OR EXISTS (SELECT 1 FROM stage_par_survey s WHERE s.source = t.source AND s.source_file = t.source_file));

INSERT INTO par_list_quarantine
SELECT 'par_survey', q.period, q.unit_code, NULL, q.source, q.source_file, q.source_row, q.file_sha256, (SELECT run_id FROM merge_run)
FROM stage_par_survey q
WHERE q.q_reason IS NOT NULL AND q.period IS NOT NULL AND q.unit_code IS NOT NULL
  -- An earlier row the same file repeats is quarantined with the last
  -- row kept and counted: nothing waits for a correction.
  AND q.q_reason_code IS DISTINCT FROM 'duplicate_in_file'
  AND NOT EXISTS (SELECT 1 FROM stage_par_survey v WHERE v.q_reason IS NULL AND v.period = q.period
                  AND v.unit_code = q.unit_code AND v.file_seq > q.file_seq);
