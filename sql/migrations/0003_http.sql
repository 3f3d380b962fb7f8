-- HTTP sources: the validators of each loaded export, so the next run can
-- ask the server whether it changed (If-None-Match / If-Modified-Since)
-- instead of downloading it again; and each source's last successful
-- listing, so publications can mark units whose data is stale.
ALTER TABLE source_files ADD COLUMN etag VARCHAR;
ALTER TABLE source_files ADD COLUMN last_modified VARCHAR;
COMMENT ON COLUMN source_files.etag IS 'ETag máy chủ trả về (nguồn HTTP) / ETag sent by the server (HTTP sources)';
COMMENT ON COLUMN source_files.last_modified IS 'Last-Modified máy chủ trả về (nguồn HTTP) / Last-Modified sent by the server (HTTP sources)';

CREATE TABLE source_status (
    source          VARCHAR NOT NULL,
    last_attempt_at TIMESTAMP NOT NULL,
    last_success_at TIMESTAMP,
    last_error      VARCHAR,
    last_run_id     BIGINT NOT NULL
);
COMMENT ON TABLE source_status IS 'Tình trạng từng nguồn dữ liệu sau lần chạy gần nhất / State of each source after the latest run';
COMMENT ON COLUMN source_status.source IS 'Nguồn dữ liệu / Source';
COMMENT ON COLUMN source_status.last_attempt_at IS 'Lần thử gần nhất (giờ địa phương) / Latest attempt (local time)';
COMMENT ON COLUMN source_status.last_success_at IS 'Lần lấy dữ liệu thành công gần nhất: dữ liệu của nguồn mới đến thời điểm này / Latest successful fetch: the source''s data is current up to this time';
COMMENT ON COLUMN source_status.last_error IS 'Lỗi của lần thử gần nhất, nếu có / Error of the latest attempt, if any';
COMMENT ON COLUMN source_status.last_run_id IS 'Lần chạy gần nhất / Latest run';
