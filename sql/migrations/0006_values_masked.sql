-- Personal data typed into a recognised column (a phone number in the
-- procedure name, a name in the field or rating) is masked before it is
-- stored (package pii). Each file records how many of its cells were, so
-- the unit can be told to stop typing personal data where it does not
-- belong.
ALTER TABLE source_files ADD COLUMN values_masked BIGINT DEFAULT 0;
COMMENT ON COLUMN source_files.values_masked IS 'Số ô có dữ liệu cá nhân đã bị che (tên thủ tục, lĩnh vực, dòng bị loại) / Cells stored with personal data masked (procedure name, field, quarantined rows)';
