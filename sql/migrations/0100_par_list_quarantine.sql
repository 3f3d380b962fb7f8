-- par_list_quarantine ties a quarantined row of a PAR list (the survey,
-- the bonus and penalty decisions) to the unit and period the reader
-- resolved for it, which the quarantine table does not hold: the model
-- lists such a unit `incomplete` (unknown is never zero) while the row is
-- still in quarantine (joined on source, source_file, source_row and
-- file_sha256). Written by sql/merge/par_survey.sql and
-- par_adjustments.sql: a new reading of a file replaces its rows, a valid
-- row of the same key (unit × period, and reason for an adjustment) from a
-- later file or run removes them. Rows whose unit or period could not be
-- resolved are not tied (they stay in quarantine as unknown_unit or
-- bad_period). No raw values: the cells stay in quarantine.
CREATE TABLE par_list_quarantine (
    dataset     VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    reason      VARCHAR,
    source      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  BIGINT NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    run_id      BIGINT NOT NULL
);
COMMENT ON TABLE par_list_quarantine IS 'Dòng bị cách ly của danh sách ĐTXHH, điểm thưởng/trừ, gắn với đơn vị và kỳ: đơn vị "chưa đủ dữ liệu" đến khi có file sửa / Quarantined rows of the survey and adjustment lists tied to their unit and period: the unit is incomplete until a corrected file replaces them';
COMMENT ON COLUMN par_list_quarantine.dataset IS 'Bộ dữ liệu (par_survey, par_adjustments) / Dataset';
COMMENT ON COLUMN par_list_quarantine.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_list_quarantine.unit_code IS 'Mã đơn vị / Unit';
COMMENT ON COLUMN par_list_quarantine.reason IS 'Lý do thưởng/trừ của dòng (nếu đọc được) / The adjustment''s reason, when readable';
COMMENT ON COLUMN par_list_quarantine.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN par_list_quarantine.source_file IS 'Tệp / File';
COMMENT ON COLUMN par_list_quarantine.source_row IS 'Dòng trong tệp / Row in the file';
COMMENT ON COLUMN par_list_quarantine.file_sha256 IS 'Mã băm SHA-256 của tệp / SHA-256 of the file';
COMMENT ON COLUMN par_list_quarantine.run_id IS 'Lần chạy đã đọc dòng / Run that read the row';
