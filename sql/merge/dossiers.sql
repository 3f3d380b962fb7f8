-- Merge of dossiers (dataset dossiers). Input: stage_dossiers (every row
-- staged by the run, valid or quarantined), stage_files (the run's loaded
-- files) and merge_run (run_id, loaded_at). Key: dossier_code; each code's
-- latest staged version (by file, then row; a file read again after a
-- registry or mapping change ranks by the run that first read it)
-- replaces the warehouse's. Leaves
-- current_dossiers (the staged valid rows kept), dossier_changes
-- (received_at, finished_at of every dossiers row the run deleted or
-- inserted: the model rebuilds the periods they fall in) and
-- dossier_removed (the whole rows deleted: the model subtracts their counts
-- and adds those of the run's rows, run_id of merge_run). A full refresh
-- empties dossiers before this merge, so dossier_changes then holds only the
-- new rows: a full refresh rebuilds every period anyway.
--
-- Statements after "-- when:" run only under their condition (see
-- datasets.Dataset.Merge). Most runs carry no dossier code twice and no
-- retried file: then the valid staged rows are the current versions as they
-- are, and neither the search for duplicates within a file nor the window
-- picking the latest version (sorts of the whole stage) runs.

-- Within a file, the last row of a code is kept (an export listing a
-- dossier twice most likely appended its newer state); each earlier valid
-- row becomes a duplicate_in_file row the clerk can see, so read = loaded +
-- quarantined + superseded holds and superseded keeps meaning "replaced by
-- another file".
-- when: duplicates_in_file
UPDATE stage_dossiers SET
  q_reason = format('Mã hồ sơ "{}" có {} dòng trong tệp; dòng này bị bỏ qua, giữ dòng cuối (dòng {}): xóa dòng trùng trong tệp xuất',
    stage_dossiers.dossier_code, d.n, d.last_row),
  q_reason_code = 'duplicate_in_file', q_column = coalesce(f.key_header, 'Mã hồ sơ'), q_raw_value = stage_dossiers.dossier_code,
  q_raw_record = json_object(coalesce(f.key_header, 'Mã hồ sơ'), stage_dossiers.dossier_code)::VARCHAR
FROM (SELECT file_seq, source_row, n, last_row FROM (
    SELECT file_seq, source_row, count(*) OVER w AS n, max(source_row) OVER w AS last_row
    FROM stage_dossiers WHERE q_reason IS NULL WINDOW w AS (PARTITION BY file_seq, dossier_code))
    WHERE source_row < last_row) d, stage_files f
WHERE stage_dossiers.file_seq = d.file_seq AND stage_dossiers.source_row = d.source_row AND f.file_seq = d.file_seq;

-- when: not duplicates and not retries
CREATE OR REPLACE TEMP VIEW current_dossiers AS
SELECT * EXCLUDE (q_reason, q_column, q_raw_value, q_raw_record, q_reason_code) FROM stage_dossiers WHERE q_reason IS NULL;

-- when: duplicates and not retries
CREATE OR REPLACE TEMP TABLE current_dossiers AS
SELECT * EXCLUDE (q_reason, q_column, q_raw_value, q_raw_record, q_reason_code) FROM stage_dossiers
WHERE q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY dossier_code ORDER BY file_seq DESC, source_row DESC) = 1;

-- A version read again after a registry or mapping change (retried, or
-- failed whole before) ranks by the run that first read it
-- (stage_files.rank_run_id): every file new in this run is newer.
-- when: retries
CREATE OR REPLACE TEMP TABLE current_dossiers AS
SELECT s.* EXCLUDE (q_reason, q_column, q_raw_value, q_raw_record, q_reason_code) FROM stage_dossiers s
JOIN stage_files f USING (file_seq)
WHERE s.q_reason IS NULL
QUALIFY row_number() OVER (PARTITION BY s.dossier_code
  ORDER BY f.rank_run_id DESC, s.file_seq DESC, s.source_row DESC) = 1;

-- Such a version's row does not replace a version from a file first
-- loaded after its own (nor, in the same run, from another file: their
-- order then is unknown and the loaded version stays).
-- when: retries
DELETE FROM current_dossiers WHERE EXISTS (SELECT 1 FROM stage_files f, dossiers d
  JOIN source_files sf ON sf.source = d.source AND sf.path = d.source_file AND sf.file_sha256 = d.file_sha256
  WHERE f.rank_run_id < (SELECT run_id FROM merge_run) AND f.file_seq = current_dossiers.file_seq AND d.dossier_code = current_dossiers.dossier_code
  AND (sf.first_run_id > f.rank_run_id OR (sf.first_run_id = f.rank_run_id AND (d.source_file <> f.path OR d.file_sha256 <> f.sha))));

-- Created before any dossiers row is deleted or inserted (the model reads
-- it; the warehouse drops it after the model).
-- A first load (or a full refresh) leaves no change table: its periods
-- are all new, and without dossier_changes the model rebuilds every
-- period (an empty one would let it rebuild none).
-- when: existing or retries
CREATE OR REPLACE TEMP TABLE dossier_changes (received_at TIMESTAMP, finished_at TIMESTAMP);

-- The whole rows of the versions removed: the model subtracts their counts
-- (model/counts.go).
-- when: existing or retries
CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers LIMIT 0;

-- What a retried version loaded before is replaced by its new reading: a
-- row that no longer passes leaves the warehouse.
-- when: retries
INSERT INTO dossier_removed SELECT * FROM dossiers WHERE EXISTS (SELECT 1 FROM stage_files f
  WHERE f.retry AND dossiers.source = f.source AND dossiers.source_file = f.path AND dossiers.file_sha256 = f.sha);

-- when: retries
INSERT INTO dossier_changes SELECT received_at, finished_at FROM dossier_removed;

-- when: retries
DELETE FROM dossiers WHERE EXISTS (SELECT 1 FROM stage_files f WHERE f.retry
  AND dossiers.source = f.source AND dossiers.source_file = f.path AND dossiers.file_sha256 = f.sha);

-- The versions replaced are found once, by their code, and deleted by
-- rowid: finding them twice (for dossier_changes, then for the delete)
-- would read every dossier code of the warehouse twice.
-- when: existing
CREATE OR REPLACE TEMP TABLE replaced_dossiers AS
SELECT rowid AS row_id, received_at, finished_at FROM dossiers
WHERE dossier_code IN (SELECT dossier_code FROM current_dossiers);

-- when: existing
INSERT INTO dossier_changes SELECT received_at, finished_at FROM replaced_dossiers;

-- when: existing
INSERT INTO dossier_removed SELECT * FROM dossiers WHERE rowid IN (SELECT row_id FROM replaced_dossiers);

-- when: existing
DELETE FROM dossiers WHERE rowid IN (SELECT row_id FROM replaced_dossiers);

-- when: existing
DROP TABLE replaced_dossiers;

INSERT INTO dossiers SELECT c.dossier_code, c.unit_code, c.procedure_code, c.procedure_name, c.field, c.channel,
  c.received_at, c.due_at, c.finished_at, c.returned_at, c.status, c.supplement_requests, c.supplement_days, c.online_level,
  c.fee_required, c.paid_online, c.synced_national, c.digitized_dossier, c.digitized_result, c.reused_data, c.rating,
  c.source, c.source_file, c.source_row, c.file_sha256, m.run_id, m.loaded_at
FROM current_dossiers c, merge_run m;

-- when: existing or retries
INSERT INTO dossier_changes SELECT received_at, finished_at FROM current_dossiers;
