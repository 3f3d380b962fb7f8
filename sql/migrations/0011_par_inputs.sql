-- Inputs of the provincial CCHC (PAR) index, as loaded from scoring sheets,
-- the sociological survey and bonus/penalty decisions (docs/contract.md, The
-- provincial CCHC index). The model (sql/models/5x_par_*.sql) reads them.
-- Written by the merge SQL of each dataset (sql/merge/par_*.sql).

CREATE TABLE par_sheet_rows (
    period           VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    code             VARCHAR NOT NULL,
    parent_code      VARCHAR,
    depth            INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    stt              VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    max_points       DOUBLE,
    self_points      DOUBLE,
    appraised_points DOUBLE,
    not_applicable   BOOLEAN NOT NULL,
    is_leaf          BOOLEAN NOT NULL,
    rule_text        VARCHAR,
    evidence         VARCHAR,
    note             VARCHAR,
    source           VARCHAR NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_row       BIGINT NOT NULL,
    file_sha256      VARCHAR NOT NULL,
    run_id           BIGINT NOT NULL,
    loaded_at        TIMESTAMP NOT NULL
);
COMMENT ON TABLE par_sheet_rows IS 'Dòng của bảng tự chấm/thẩm định chỉ số CCHC (lĩnh vực, tiêu chí, tiêu chí thành phần), bản mới nhất của đơn vị / Rows of the current scoring sheet of a unit (field, criterion, component)';
COMMENT ON COLUMN par_sheet_rows.period IS 'Kỳ đánh giá (2025, 2025-H1) / Assessment period';
COMMENT ON COLUMN par_sheet_rows.unit_code IS 'Mã đơn vị có bảng điểm / Unit the sheet belongs to';
COMMENT ON COLUMN par_sheet_rows.code IS 'Mã tiêu chí theo đường dẫn (I, I.1, I.1.2) / Path code of the criterion';
COMMENT ON COLUMN par_sheet_rows.parent_code IS 'Mã tiêu chí cha; rỗng với lĩnh vực / Parent code; NULL for a field';
COMMENT ON COLUMN par_sheet_rows.depth IS 'Cấp: 1 lĩnh vực, 2 tiêu chí, 3+ tiêu chí thành phần / Depth: 1 field, 2 criterion, 3+ component';
COMMENT ON COLUMN par_sheet_rows.seq IS 'Thứ tự trong bảng điểm (từ 1) / Order in the sheet (1-based)';
COMMENT ON COLUMN par_sheet_rows.stt IS 'STT như ghi trong bảng / STT as written';
COMMENT ON COLUMN par_sheet_rows.name IS 'Nội dung tiêu chí / Criterion text';
COMMENT ON COLUMN par_sheet_rows.max_points IS 'Điểm tối đa / Maximum points';
COMMENT ON COLUMN par_sheet_rows.self_points IS 'Điểm tự đánh giá / Self-assessed points';
COMMENT ON COLUMN par_sheet_rows.appraised_points IS 'Điểm thẩm định; rỗng khi chưa có hoặc không áp dụng / Appraised points; NULL when empty or not applicable';
COMMENT ON COLUMN par_sheet_rows.not_applicable IS 'Ô điểm thẩm định ghi "Không áp dụng" / "Không áp dụng" written in the appraised cell';
COMMENT ON COLUMN par_sheet_rows.is_leaf IS 'Không có tiêu chí con trong bảng / Has no children in the sheet';
COMMENT ON COLUMN par_sheet_rows.rule_text IS 'Cách chấm ghi dưới tiêu chí (dòng không có STT) / Scoring rule written under the node (rows without STT)';
COMMENT ON COLUMN par_sheet_rows.evidence IS 'Tài liệu kiểm chứng / Evidence';
COMMENT ON COLUMN par_sheet_rows.note IS 'Ghi chú / Note';
COMMENT ON COLUMN par_sheet_rows.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN par_sheet_rows.source_file IS 'Tệp bảng điểm / Sheet file';
COMMENT ON COLUMN par_sheet_rows.source_row IS 'Dòng trong tệp / Row in the file';
COMMENT ON COLUMN par_sheet_rows.file_sha256 IS 'Mã băm SHA-256 của tệp / SHA-256 of the file';
COMMENT ON COLUMN par_sheet_rows.run_id IS 'Lần chạy đã nạp / Run that loaded the row';
COMMENT ON COLUMN par_sheet_rows.loaded_at IS 'Thời điểm nạp (giờ Việt Nam) / Load time (Vietnam wall clock)';

CREATE TABLE par_sheets (
    period            VARCHAR NOT NULL,
    unit_code         VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    source_file       VARCHAR NOT NULL,
    file_sha256       VARCHAR NOT NULL,
    rows_loaded       BIGINT NOT NULL,
    rows_quarantined  BIGINT NOT NULL,
    subtotal_warnings VARCHAR[],
    run_id            BIGINT NOT NULL,
    loaded_at         TIMESTAMP NOT NULL
);
COMMENT ON TABLE par_sheets IS 'Bảng điểm hiện hành của mỗi đơn vị và kỳ; có dòng bị loại thì đơn vị "chưa đủ dữ liệu" / Current scoring sheet per unit and period; any quarantined row makes the unit incomplete';
COMMENT ON COLUMN par_sheets.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_sheets.unit_code IS 'Mã đơn vị / Unit';
COMMENT ON COLUMN par_sheets.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN par_sheets.source_file IS 'Tệp bảng điểm / Sheet file';
COMMENT ON COLUMN par_sheets.file_sha256 IS 'Mã băm SHA-256 của tệp / SHA-256 of the file';
COMMENT ON COLUMN par_sheets.rows_loaded IS 'Số dòng tiêu chí đã nạp / Criterion rows loaded';
COMMENT ON COLUMN par_sheets.rows_quarantined IS 'Số dòng tiêu chí bị loại (điểm không hợp lệ) / Criterion rows quarantined (impossible score)';
COMMENT ON COLUMN par_sheets.subtotal_warnings IS 'Cảnh báo cộng điểm dòng cha không khớp / Parent subtotal mismatches';
COMMENT ON COLUMN par_sheets.run_id IS 'Lần chạy đã nạp / Run that loaded the sheet';
COMMENT ON COLUMN par_sheets.loaded_at IS 'Thời điểm nạp (giờ Việt Nam) / Load time (Vietnam wall clock)';

CREATE TABLE par_survey_results (
    period      VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    points      DOUBLE,
    rate        DOUBLE,
    source      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  BIGINT NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    run_id      BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE par_survey_results IS 'Kết quả điều tra xã hội học của mỗi đơn vị và kỳ / Sociological survey result per unit and period';
COMMENT ON COLUMN par_survey_results.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_survey_results.unit_code IS 'Mã đơn vị / Unit';
COMMENT ON COLUMN par_survey_results.points IS 'Điểm ĐTXHH như công bố; rỗng khi cho tỷ lệ / Survey points as published; NULL when a rate was given';
COMMENT ON COLUMN par_survey_results.rate IS 'Tỷ lệ hài lòng, quy về 0..1; rỗng khi cho điểm / Satisfaction rate normalised to 0..1; NULL when points were given';
COMMENT ON COLUMN par_survey_results.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN par_survey_results.source_file IS 'Tệp / File';
COMMENT ON COLUMN par_survey_results.source_row IS 'Dòng trong tệp / Row in the file';
COMMENT ON COLUMN par_survey_results.file_sha256 IS 'Mã băm SHA-256 của tệp / SHA-256 of the file';
COMMENT ON COLUMN par_survey_results.run_id IS 'Lần chạy đã nạp / Run that loaded the row';
COMMENT ON COLUMN par_survey_results.loaded_at IS 'Thời điểm nạp (giờ Việt Nam) / Load time (Vietnam wall clock)';

CREATE TABLE par_adjustment_rows (
    period      VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    points      DOUBLE NOT NULL,
    source      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  BIGINT NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    run_id      BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE par_adjustment_rows IS 'Điểm thưởng, điểm trừ của mỗi đơn vị, kỳ và lý do / Bonus and penalty points per unit, period and reason';
COMMENT ON COLUMN par_adjustment_rows.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_adjustment_rows.unit_code IS 'Mã đơn vị / Unit';
COMMENT ON COLUMN par_adjustment_rows.reason IS 'Lý do thưởng/trừ / Reason';
COMMENT ON COLUMN par_adjustment_rows.points IS 'Điểm có dấu: dương là thưởng, âm là trừ / Signed points: > 0 bonus, < 0 penalty';
COMMENT ON COLUMN par_adjustment_rows.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN par_adjustment_rows.source_file IS 'Tệp / File';
COMMENT ON COLUMN par_adjustment_rows.source_row IS 'Dòng trong tệp / Row in the file';
COMMENT ON COLUMN par_adjustment_rows.file_sha256 IS 'Mã băm SHA-256 của tệp / SHA-256 of the file';
COMMENT ON COLUMN par_adjustment_rows.run_id IS 'Lần chạy đã nạp / Run that loaded the row';
COMMENT ON COLUMN par_adjustment_rows.loaded_at IS 'Thời điểm nạp (giờ Việt Nam) / Load time (Vietnam wall clock)';
