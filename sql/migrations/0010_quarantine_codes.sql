-- Quarantine reason codes and the fingerprints a file version was loaded
-- under. reason_code is a stable English code for analysts next to the
-- Vietnamese reason. A file loaded under another unit registry or column
-- mapping than the current one, with rows quarantined for a reason such a
-- change can cure (unknown_unit, unknown_header), is read again by the next
-- run and its ledger row, quarantine rows and cured dossiers replaced.
ALTER TABLE quarantine ADD COLUMN reason_code VARCHAR;
ALTER TABLE source_files ADD COLUMN units_sha256 VARCHAR;
ALTER TABLE source_files ADD COLUMN mapping_sha256 VARCHAR;
ALTER TABLE source_files ADD COLUMN rows_recovered BIGINT;
COMMENT ON COLUMN quarantine.reason_code IS 'Mã lý do (tiếng Anh, ổn định) / Stable reason code: unknown_unit, unknown_header, unparseable_date, date_before_2000, date_in_future, ambiguous_number, duplicate_in_file, ...';
COMMENT ON COLUMN source_files.units_sha256 IS 'Dấu vân tay danh mục đơn vị khi nạp tệp / Fingerprint of the unit registry the file was loaded under';
COMMENT ON COLUMN source_files.mapping_sha256 IS 'Dấu vân tay cách đọc tiêu đề cột (từ điển và columns: của nguồn) khi nạp tệp / Fingerprint of the header mapping (dictionary and the source''s columns:) the file was loaded under';
COMMENT ON COLUMN source_files.rows_recovered IS 'Số dòng trước đây bị loại, nay nạp được sau khi danh mục đơn vị hoặc cách đọc cột thay đổi / Rows once quarantined that loaded when the file was retried after a registry or mapping change';
