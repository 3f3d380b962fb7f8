-- Merge of dossiers for a direct load (datasets.Dataset.DirectMerge): the
-- run's valid rows are in dossiers already (run_id = {run_id}, each
-- file's by source and source_file in stage_files), its quarantined rows in
-- stage_dossiers. It leaves the tables as dossiers.sql leaves them for the
-- same rows (the runs loading directly have no retried file and no full
-- refresh), current_dossiers (the run's rows kept, with their file_seq),
-- dossier_changes and dossier_removed.

-- Within a file the last row of a code is kept; each earlier row leaves
-- dossiers for the stage as a duplicate_in_file row (see dossiers.sql).
-- when: duplicates_in_file
CREATE OR REPLACE TEMP TABLE dup_dossiers AS
SELECT d.source, d.source_file, d.source_row, d.file_sha256, d.dossier_code, d.n, d.last_row, f.file_seq, f.key_header
FROM (SELECT source, source_file, source_row, file_sha256, dossier_code, count(*) OVER w AS n, max(source_row) OVER w AS last_row
    FROM dossiers WHERE run_id = {run_id} WINDOW w AS (PARTITION BY source, source_file, dossier_code)) d
  JOIN stage_files f ON f.source = d.source AND f.path = d.source_file
WHERE d.source_row < d.last_row;

-- when: duplicates_in_file
INSERT INTO stage_dossiers BY NAME
SELECT dossier_code, source, source_file, source_row, file_sha256, file_seq,
  format('Mã hồ sơ "{}" có {} dòng trong tệp; dòng này bị bỏ qua, giữ dòng cuối (dòng {}): xóa dòng trùng trong tệp xuất',
    dossier_code, n, last_row) AS q_reason,
  'duplicate_in_file' AS q_reason_code, coalesce(key_header, 'Mã hồ sơ') AS q_column, dossier_code AS q_raw_value,
  json_object(coalesce(key_header, 'Mã hồ sơ'), dossier_code)::VARCHAR AS q_raw_record
FROM dup_dossiers;

-- when: duplicates_in_file
DELETE FROM dossiers WHERE run_id = {run_id} AND EXISTS (SELECT 1 FROM dup_dossiers x
  WHERE x.source = dossiers.source AND x.source_file = dossiers.source_file AND x.source_row = dossiers.source_row);

-- when: duplicates_in_file
DROP TABLE dup_dossiers;

-- Across the run's files the latest version (by file, then row) is kept.
-- when: duplicates
CREATE OR REPLACE TEMP TABLE superseded_dossiers AS
SELECT d.source, d.source_file, d.source_row FROM dossiers d JOIN stage_files f ON f.source = d.source AND f.path = d.source_file
WHERE d.run_id = {run_id}
QUALIFY row_number() OVER (PARTITION BY d.dossier_code ORDER BY f.file_seq DESC, d.source_row DESC) > 1;

-- when: duplicates
DELETE FROM dossiers WHERE run_id = {run_id} AND EXISTS (SELECT 1 FROM superseded_dossiers x
  WHERE x.source = dossiers.source AND x.source_file = dossiers.source_file AND x.source_row = dossiers.source_row);

-- when: duplicates
DROP TABLE superseded_dossiers;

CREATE OR REPLACE TEMP VIEW current_dossiers AS
SELECT d.*, f.file_seq FROM dossiers d JOIN stage_files f ON f.source = d.source AND f.path = d.source_file
WHERE d.run_id = {run_id};

-- A first load leaves no change table: its periods are all new, and
-- without dossier_changes the model rebuilds every period (an empty one
-- would let it rebuild none).
-- when: existing or retries
CREATE OR REPLACE TEMP TABLE dossier_changes (received_at TIMESTAMP, finished_at TIMESTAMP);

-- when: existing or retries
CREATE OR REPLACE TEMP TABLE dossier_removed AS SELECT * FROM dossiers LIMIT 0;

-- The warehouse's versions of the run's codes are found once and deleted
-- by rowid (see dossiers.sql); a first load has none to find.
-- when: existing
CREATE OR REPLACE TEMP TABLE replaced_dossiers AS
SELECT rowid AS row_id, received_at, finished_at FROM dossiers
WHERE run_id <> {run_id}
  AND dossier_code IN (SELECT dossier_code FROM dossiers WHERE run_id = {run_id});

-- when: existing
INSERT INTO dossier_changes SELECT received_at, finished_at FROM replaced_dossiers;

-- when: existing
INSERT INTO dossier_removed SELECT * FROM dossiers WHERE rowid IN (SELECT row_id FROM replaced_dossiers);

-- when: existing
DELETE FROM dossiers WHERE rowid IN (SELECT row_id FROM replaced_dossiers);

-- when: existing
DROP TABLE replaced_dossiers;

-- when: existing or retries
INSERT INTO dossier_changes SELECT received_at, finished_at FROM dossiers WHERE run_id = {run_id};
