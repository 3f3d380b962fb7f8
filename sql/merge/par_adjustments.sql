-- Merge of bonus and penalty decisions (dataset par_adjustments). Input:
-- stage_par_adjustments, stage_files and merge_run. Key: period × unit_code
-- × reason; the latest staged row (by file, then row) replaces the
-- warehouse's, and a file read again replaces its earlier reading whole.
-- Leaves current_par_adjustments.

-- Within a file a unit's decision is one row per reason: an earlier valid
-- row a later row of the same file repeats (same unit, period and reason)
-- is quarantined as duplicate_in_file (the last row kept) instead of
-- silently booked superseded; two real decisions must say which they are.
UPDATE stage_par_adjustments SET
  q_reason = format('Đơn vị {} có {} dòng điểm thưởng/trừ kỳ {} cùng lý do "{}" trong tệp; dòng này ({} điểm) bị bỏ qua, giữ dòng cuối (dòng {}): nếu là các quyết định khác nhau, ghi rõ lý do từng dòng (số, ngày quyết định hoặc quý) rồi nộp lại tệp; nếu trùng, xóa dòng thừa',
    stage_par_adjustments.unit_code, d.n, stage_par_adjustments.period, stage_par_adjustments.reason,
    replace(format('{:g}', stage_par_adjustments.points), '.', ','), d.last_row),
  q_reason_code = 'duplicate_in_file', q_column = 'Lý do', q_raw_value = stage_par_adjustments.reason,
  q_raw_record = json_object('Đơn vị', stage_par_adjustments.unit_code, 'Điểm', stage_par_adjustments.points, 'Lý do', stage_par_adjustments.reason)::VARCHAR
FROM (SELECT file_seq, source_row, n, last_row FROM (
    SELECT file_seq, source_row, count(*) OVER w AS n, max(source_row) OVER w AS last_row
    FROM stage_par_adjustments WHERE q_reason IS NULL WINDOW w AS (PARTITION BY file_seq, period, unit_code, reason))
    WHERE source_row < last_row) d
WHERE stage_par_adjustments.file_seq = d.file_seq AND stage_par_adjustments.source_row = d.source_row;
-- The latest row of a key wins; a file read again after a registry or
-- mapping change (retried, or failed whole before) ranks by the run that
-- first read it (stage_files.rank_run_id): every file new in this run is
-- newer.
CREATE OR REPLACE TEMP TABLE current_par_adjustments AS
SELECT s.* FROM stage_par_adjustments s JOIN stage_files f USING (file_seq)
WHERE s.q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY s.period, s.unit_code, s.reason
  ORDER BY f.rank_run_id DESC, s.file_seq DESC, s.source_row DESC) = 1;

-- Such a file's row does not replace the row of its key from a file
-- first loaded after it (nor, from the same run, from another file: their
-- order is unknown and the loaded row stays); it is superseded.
DELETE FROM current_par_adjustments c WHERE EXISTS (SELECT 1 FROM stage_files f, par_adjustment_rows p
  JOIN source_files sf ON sf.source = p.source AND sf.path = p.source_file AND sf.file_sha256 = p.file_sha256
  WHERE f.rank_run_id < (SELECT run_id FROM merge_run) AND f.file_seq = c.file_seq AND p.period = c.period AND p.unit_code = c.unit_code AND p.reason = c.reason
  AND (sf.first_run_id > f.rank_run_id OR (sf.first_run_id = f.rank_run_id AND (p.source_file <> f.path OR p.file_sha256 <> f.sha))));

-- A file read again (a new version of the same source and path, as a
-- corrected decision list is, or the same one retried) replaces all the
-- rows of its earlier reading, whatever their keys were: a row it no
-- longer lists, or stored under a key read differently before (reasons
-- were keyed before names were masked), must not count beside its new
-- reading. Across files an equal key means the later replaces the earlier.
-- The decisions a new reading of their file no longer yields, kept aside
-- for the ties below.
CREATE OR REPLACE TEMP TABLE par_adjustments_dropped AS
SELECT p.period, p.unit_code, p.reason, p.source, p.source_file FROM par_adjustment_rows p
JOIN stage_files f ON f.dataset = 'par_adjustments' AND f.source = p.source AND f.path = p.source_file
WHERE NOT EXISTS (SELECT 1 FROM current_par_adjustments c WHERE c.period = p.period AND c.unit_code = p.unit_code AND c.reason = p.reason);

DELETE FROM par_adjustment_rows p WHERE EXISTS
  (SELECT 1 FROM current_par_adjustments c WHERE c.period = p.period AND c.unit_code = p.unit_code AND c.reason = p.reason)
  OR EXISTS (SELECT 1 FROM stage_files f WHERE f.dataset = 'par_adjustments' AND f.source = p.source AND f.path = p.source_file);

INSERT INTO par_adjustment_rows
SELECT period, unit_code, reason, points, source, source_file, source_row, file_sha256,
       (SELECT run_id FROM merge_run), (SELECT loaded_at FROM merge_run)
FROM current_par_adjustments;

-- Quarantined rows whose unit and period are known stay tied to them in
-- par_list_quarantine (the model lists the unit incomplete meanwhile): a
-- valid row of the key replaces the ties of earlier runs, a new reading of
-- a file replaces that file's ties, and a valid row of the key in a later
-- file of this run means the quarantined one needs no correction. A row
-- without a readable reason is replaced only by a new reading of its file.
DELETE FROM par_list_quarantine t WHERE t.dataset = 'par_adjustments' AND (
  EXISTS (SELECT 1 FROM current_par_adjustments c WHERE c.period = t.period AND c.unit_code = t.unit_code AND c.reason = t.reason)
  OR EXISTS (SELECT 1 FROM stage_par_adjustments s WHERE s.source = t.source AND s.source_file = t.source_file));

INSERT INTO par_list_quarantine
SELECT 'par_adjustments', q.period, q.unit_code, q.reason, q.source, q.source_file, q.source_row, q.file_sha256, (SELECT run_id FROM merge_run)
FROM stage_par_adjustments q
WHERE q.q_reason IS NOT NULL AND q.period IS NOT NULL AND q.unit_code IS NOT NULL
  -- An earlier row the same file repeats is quarantined with the last
  -- row kept and counted: nothing waits for a correction.
  AND q.q_reason_code IS DISTINCT FROM 'duplicate_in_file'
  AND NOT EXISTS (SELECT 1 FROM stage_par_adjustments v WHERE v.q_reason IS NULL AND v.period = q.period
                  AND v.unit_code = q.unit_code AND v.reason = q.reason AND v.file_seq > q.file_seq);

-- A decision the new reading of its file no longer yields, while that
-- reading has rows quarantined without a unit or period (a mistyped unit
-- name, say): the decision may be one of them, so its unit waits for the
-- corrected file (incomplete) instead of losing the bonus or penalty
-- silently.
INSERT INTO par_list_quarantine
SELECT 'par_adjustments', d.period, d.unit_code, d.reason, q.source, q.source_file, q.source_row, q.file_sha256, (SELECT run_id FROM merge_run)
FROM par_adjustments_dropped d
JOIN stage_par_adjustments q ON q.source = d.source AND q.source_file = d.source_file
WHERE q.q_reason IS NOT NULL AND (q.period IS NULL OR q.unit_code IS NULL);

DROP TABLE par_adjustments_dropped;
