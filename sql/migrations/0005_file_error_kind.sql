-- A failed file records whether its failure can pass by itself (the file
-- was unreadable, locked, or changed while it was read: retried by every
-- run) or lies in its content (a broken or oversized file: retried only
-- when a new version arrives). NULL for loaded files.
ALTER TABLE source_files ADD COLUMN error_kind VARCHAR;
COMMENT ON COLUMN source_files.error_kind IS 'Loại lỗi: transient (tạm thời, thử lại mỗi lần chạy) hoặc content (do nội dung, chờ phiên bản mới) / Failure kind: transient (retried every run) or content (waits for a new version)';
-- Failures recorded before: a file that could not even be hashed
-- (file_sha256 'unavailable': unreadable, or the fetch failed) can pass;
-- the others were decoding failures of the content.
UPDATE source_files SET error_kind = CASE WHEN file_sha256 = 'unavailable' THEN 'transient' ELSE 'content' END
WHERE status = 'failed';
