-- Ingest tables: the unit registry, the canonical dossiers, quarantined rows,
-- the ledger of source files and of runs. Every table and column carries a
-- comment in Vietnamese and English for analysts browsing the catalog.
-- No primary keys: DuckDB 1.1 rejects a delete and re-insert of the same key
-- in one transaction, which is exactly how a redelivered dossier or file is
-- replaced; the loader keeps the keys unique and the tests check it.

CREATE TABLE units (
    unit_code      VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    level          VARCHAR NOT NULL,
    parent_code    VARCHAR,
    valid_from     DATE,
    valid_to       DATE,
    successor_code VARCHAR,
    aliases        VARCHAR[]
);
COMMENT ON TABLE units IS 'Danh mục đơn vị (sở, huyện, xã) / Unit registry (departments, districts, communes), loaded from units.csv at every run';
COMMENT ON COLUMN units.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN units.name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN units.level IS 'Cấp: department (sở), district (huyện), commune (xã) / Level';
COMMENT ON COLUMN units.parent_code IS 'Mã đơn vị cấp trên / Parent unit code';
COMMENT ON COLUMN units.valid_from IS 'Hiệu lực từ ngày / Valid from';
COMMENT ON COLUMN units.valid_to IS 'Hiệu lực đến ngày (sáp nhập, giải thể) / Valid until (merged, dissolved)';
COMMENT ON COLUMN units.successor_code IS 'Mã đơn vị kế thừa sau sáp nhập / Successor unit after a merger';
COMMENT ON COLUMN units.aliases IS 'Tên gọi khác dùng để nhận diện trong file xuất / Other names used to recognise the unit in exports';

CREATE TABLE dossiers (
    dossier_code        VARCHAR NOT NULL,
    unit_code           VARCHAR NOT NULL,
    procedure_code      VARCHAR,
    procedure_name      VARCHAR,
    field               VARCHAR,
    channel             VARCHAR NOT NULL,
    received_at         TIMESTAMP NOT NULL,
    due_at              TIMESTAMP,
    finished_at         TIMESTAMP,
    returned_at         TIMESTAMP,
    status              VARCHAR NOT NULL,
    supplement_requests INTEGER,
    supplement_days     DOUBLE,
    online_level        VARCHAR,
    fee_required        BOOLEAN,
    paid_online         BOOLEAN,
    synced_national     BOOLEAN,
    digitized_dossier   BOOLEAN,
    digitized_result    BOOLEAN,
    reused_data         BOOLEAN,
    rating              VARCHAR,
    source              VARCHAR NOT NULL,
    source_file         VARCHAR NOT NULL,
    source_row          BIGINT NOT NULL,
    file_sha256         VARCHAR NOT NULL,
    run_id              BIGINT NOT NULL,
    loaded_at           TIMESTAMP NOT NULL
);
COMMENT ON TABLE dossiers IS 'Hồ sơ TTHC, mỗi mã hồ sơ một dòng (phiên bản mới nhất) / Administrative dossiers, one row per dossier code (latest version)';
COMMENT ON COLUMN dossiers.dossier_code IS 'Mã hồ sơ / Dossier code';
COMMENT ON COLUMN dossiers.unit_code IS 'Mã đơn vị tiếp nhận / Receiving unit code';
COMMENT ON COLUMN dossiers.procedure_code IS 'Mã thủ tục hành chính / Procedure code (d.dddddd)';
COMMENT ON COLUMN dossiers.procedure_name IS 'Tên thủ tục hành chính / Procedure name';
COMMENT ON COLUMN dossiers.field IS 'Lĩnh vực / Field (domain) of the procedure';
COMMENT ON COLUMN dossiers.channel IS 'Hình thức nộp: online (trực tuyến), direct (trực tiếp), postal (bưu chính công ích) / Submission channel';
COMMENT ON COLUMN dossiers.received_at IS 'Ngày tiếp nhận, giờ Việt Nam / Received at, Vietnamese local time';
COMMENT ON COLUMN dossiers.due_at IS 'Ngày hẹn trả / Due at (null: procedure without deadline)';
COMMENT ON COLUMN dossiers.finished_at IS 'Ngày kết thúc xử lý (trạng thái kết thúc đầu tiên) / End of processing (first terminal status)';
COMMENT ON COLUMN dossiers.returned_at IS 'Ngày trả kết quả / Result handed back at';
COMMENT ON COLUMN dossiers.status IS 'Trạng thái: processing, supplement_requested, resolved, returned, rejected, withdrawn, stopped / Status';
COMMENT ON COLUMN dossiers.supplement_requests IS 'Số lần yêu cầu bổ sung / Times the unit asked for more documents';
COMMENT ON COLUMN dossiers.supplement_days IS 'Số ngày tạm dừng chờ bổ sung / Days the clock stopped for supplements';
COMMENT ON COLUMN dossiers.online_level IS 'Mức độ dịch vụ công trực tuyến: full (toàn trình), partial (một phần), none / Online service level';
COMMENT ON COLUMN dossiers.fee_required IS 'Thủ tục có phí, lệ phí / The procedure carries a fee';
COMMENT ON COLUMN dossiers.paid_online IS 'Đã thanh toán trực tuyến / Fee paid online';
COMMENT ON COLUMN dossiers.synced_national IS 'Đã đồng bộ lên Cổng DVC quốc gia / Synchronised to the national portal';
COMMENT ON COLUMN dossiers.digitized_dossier IS 'Hồ sơ đã số hóa / Submitted documents digitised';
COMMENT ON COLUMN dossiers.digitized_result IS 'Có kết quả điện tử / Electronic result issued';
COMMENT ON COLUMN dossiers.reused_data IS 'Tái sử dụng dữ liệu đã số hóa / Digitised data reused';
COMMENT ON COLUMN dossiers.rating IS 'Đánh giá: very_satisfied, satisfied, dissatisfied / Citizen rating';
COMMENT ON COLUMN dossiers.source IS 'Nguồn dữ liệu (tên trong cấu hình) / Source name from the config';
COMMENT ON COLUMN dossiers.source_file IS 'File xuất chứa phiên bản này / Export file of this version';
COMMENT ON COLUMN dossiers.source_row IS 'Số dòng trong file / Row number in the file';
COMMENT ON COLUMN dossiers.file_sha256 IS 'SHA-256 của file / SHA-256 of the file';
COMMENT ON COLUMN dossiers.run_id IS 'Lần chạy đã nạp phiên bản này / Run that loaded this version';
COMMENT ON COLUMN dossiers.loaded_at IS 'Thời điểm nạp / Loaded at (local time)';

CREATE TABLE quarantine (
    run_id      BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  BIGINT NOT NULL,
    reason      VARCHAR NOT NULL,
    column_name VARCHAR,
    raw_value   VARCHAR,
    raw_record  JSON,
    file_sha256 VARCHAR NOT NULL
);
COMMENT ON TABLE quarantine IS 'Dòng bị loại, chờ đơn vị sửa / Rejected rows, for the unit to correct';
COMMENT ON COLUMN quarantine.run_id IS 'Lần chạy / Run';
COMMENT ON COLUMN quarantine.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN quarantine.source_file IS 'File xuất / Export file';
COMMENT ON COLUMN quarantine.source_row IS 'Số dòng trong file (như Excel hiển thị) / Row number in the file (as Excel shows it)';
COMMENT ON COLUMN quarantine.reason IS 'Lý do loại / Why the row was rejected';
COMMENT ON COLUMN quarantine.column_name IS 'Cột có lỗi (tiêu đề trong file) / Column at fault (header as in the file)';
COMMENT ON COLUMN quarantine.raw_value IS 'Giá trị gốc / Raw value';
COMMENT ON COLUMN quarantine.raw_record IS 'Các cột đã nhận diện của dòng, không gồm dữ liệu cá nhân / The row''s recognised cells, without personal data';
COMMENT ON COLUMN quarantine.file_sha256 IS 'SHA-256 của file / SHA-256 of the file';

CREATE TABLE source_files (
    source           VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,
    size             BIGINT NOT NULL,
    modified_at      TIMESTAMP NOT NULL,
    file_sha256      VARCHAR NOT NULL,
    first_run_id     BIGINT NOT NULL,
    last_run_id      BIGINT NOT NULL,
    format           VARCHAR,
    encoding         VARCHAR,
    rows_read        BIGINT NOT NULL DEFAULT 0,
    rows_loaded      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    rows_superseded  BIGINT NOT NULL DEFAULT 0,
    status           VARCHAR NOT NULL,
    error            VARCHAR,
    columns_mapped   JSON,
    columns_dropped  VARCHAR[],
    columns_unmapped VARCHAR[]
);
COMMENT ON TABLE source_files IS 'Sổ cái các file đã xử lý, mỗi phiên bản file một dòng / Ledger of processed files, one row per file version';
COMMENT ON COLUMN source_files.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN source_files.path IS 'Đường dẫn hoặc URL / Path or URL';
COMMENT ON COLUMN source_files.size IS 'Kích thước (byte) / Size in bytes';
COMMENT ON COLUMN source_files.modified_at IS 'Thời điểm sửa đổi của file (UTC) / File modification time (UTC)';
COMMENT ON COLUMN source_files.file_sha256 IS 'SHA-256 nội dung / SHA-256 of the content';
COMMENT ON COLUMN source_files.first_run_id IS 'Lần chạy đầu tiên gặp file / First run that saw this version';
COMMENT ON COLUMN source_files.last_run_id IS 'Lần chạy gần nhất xử lý file / Last run that processed this version';
COMMENT ON COLUMN source_files.format IS 'Định dạng: csv, xlsx, json / Format';
COMMENT ON COLUMN source_files.encoding IS 'Bảng mã văn bản / Text encoding';
COMMENT ON COLUMN source_files.rows_read IS 'Số dòng đọc được / Data rows read';
COMMENT ON COLUMN source_files.rows_loaded IS 'Số dòng nạp vào dossiers / Rows loaded as the current version';
COMMENT ON COLUMN source_files.rows_quarantined IS 'Số dòng bị loại / Rows quarantined';
COMMENT ON COLUMN source_files.rows_superseded IS 'Số dòng bị thay bởi dòng sau cùng mã hồ sơ / Rows superseded by a later row with the same dossier code';
COMMENT ON COLUMN source_files.status IS 'loaded (đã nạp) hoặc failed (lỗi) / Status';
COMMENT ON COLUMN source_files.error IS 'Lỗi nếu không đọc được file / Why the file could not be read';
COMMENT ON COLUMN source_files.columns_mapped IS 'Tiêu đề cột → cột chuẩn / Header → canonical column';
COMMENT ON COLUMN source_files.columns_dropped IS 'Cột dữ liệu cá nhân đã bỏ / Personal-data columns dropped';
COMMENT ON COLUMN source_files.columns_unmapped IS 'Cột không nhận diện được (không nạp) / Columns not recognised (not loaded)';

CREATE TABLE runs (
    run_id           BIGINT NOT NULL,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    status           VARCHAR NOT NULL,
    trigger          VARCHAR NOT NULL,
    files_new        INTEGER NOT NULL DEFAULT 0,
    files_failed     INTEGER NOT NULL DEFAULT 0,
    rows_read        BIGINT NOT NULL DEFAULT 0,
    rows_loaded      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    rows_superseded  BIGINT NOT NULL DEFAULT 0,
    message          VARCHAR,
    host             VARCHAR,
    pid              INTEGER
);
COMMENT ON TABLE runs IS 'Nhật ký các lần chạy / Run history';
COMMENT ON COLUMN runs.run_id IS 'Mã lần chạy / Run id';
COMMENT ON COLUMN runs.started_at IS 'Bắt đầu (giờ địa phương) / Started at (local time)';
COMMENT ON COLUMN runs.finished_at IS 'Kết thúc (giờ địa phương) / Finished at (local time)';
COMMENT ON COLUMN runs.status IS 'running, succeeded, partial (một số nguồn lỗi), failed / Status';
COMMENT ON COLUMN runs.trigger IS 'manual (chạy tay) hoặc schedule (theo lịch) / What started the run';
COMMENT ON COLUMN runs.files_new IS 'Số file mới hoặc đã thay đổi / New or changed files';
COMMENT ON COLUMN runs.files_failed IS 'Số file không đọc được / Files that could not be read';
COMMENT ON COLUMN runs.rows_read IS 'Số dòng đọc / Rows read';
COMMENT ON COLUMN runs.rows_loaded IS 'Số dòng nạp / Rows loaded';
COMMENT ON COLUMN runs.rows_quarantined IS 'Số dòng bị loại / Rows quarantined';
COMMENT ON COLUMN runs.rows_superseded IS 'Số dòng bị thay thế / Rows superseded';
COMMENT ON COLUMN runs.message IS 'Tóm tắt hoặc lỗi / Summary or error';
COMMENT ON COLUMN runs.host IS 'Máy chạy / Host';
COMMENT ON COLUMN runs.pid IS 'Mã tiến trình / Process id';
