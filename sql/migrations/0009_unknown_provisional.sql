-- Unknown is not false; provisional periods and freshness (docs/contract.md).
-- A period is provisional until publish.grace after its end; its scores and
-- publications say "Số liệu tạm tính". Each file records the canonical
-- columns its export lacked (those stay NULL, never false). Each source
-- records when it last delivered a new file, and whether that is longer
-- ago than `freshness`.
ALTER TABLE periods ADD COLUMN provisional BOOLEAN;
COMMENT ON COLUMN periods.provisional IS 'Kỳ tạm tính: chưa kết thúc hoặc kết thúc chưa quá publish.grace (theo ngày của lần chạy) / Provisional: not ended, or ended less than publish.grace before the run''s date';

ALTER TABLE index_scores ADD COLUMN provisional BOOLEAN;
COMMENT ON COLUMN index_scores.provisional IS 'Số liệu tạm tính (kỳ chưa chốt), xếp hạng chưa chính thức / Provisional: the period is not final, nor is the ranking';
COMMENT ON COLUMN index_scores.data_until IS 'Dữ liệu của đơn vị cập nhật đến: mốc mới nhất trong dữ liệu đơn vị gửi (ngày tiếp nhận, kết thúc, trả kết quả), tối đa là cuối kỳ; NULL nếu không có dữ liệu / The unit''s data covers up to: its newest received, finished or returned time, at most the period end; NULL without data';

ALTER TABLE source_files ADD COLUMN missing_columns VARCHAR[];
COMMENT ON COLUMN source_files.missing_columns IS 'Cột chuẩn file không có: giá trị để trống (không biết), không tính là sai / Canonical columns the file lacks: unknown (NULL), never false';

ALTER TABLE source_status ADD COLUMN last_new_file_at TIMESTAMP;
ALTER TABLE source_status ADD COLUMN stale BOOLEAN;
COMMENT ON COLUMN source_status.last_new_file_at IS 'Lần chạy gần nhất nguồn có file mới (giờ địa phương) / Start of the latest run in which the source delivered a new file (local time)';
COMMENT ON COLUMN source_status.stale IS 'Nguồn không có file mới lâu hơn freshness / No new file for longer than freshness';
UPDATE source_status SET last_new_file_at = (
    SELECT max(r.started_at) FROM source_files f JOIN runs r ON r.run_id = f.first_run_id
    WHERE f.source = source_status.source);
