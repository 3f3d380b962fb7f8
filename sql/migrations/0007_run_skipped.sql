-- A scheduled tick that could not take the writer lock (another run, a
-- publish, or a reader holding the warehouse) is recorded as a run with
-- status 'skipped', so the run history shows every tick, not only those
-- that ran. The skipping process cannot write the warehouse (the holder has
-- it), so it leaves a line in <warehouse>.skipped and the next run records it.
COMMENT ON COLUMN runs.status IS 'running, succeeded, partial (một số nguồn lỗi hoặc bản sao cho người phân tích chưa làm mới), failed (không ghi gì), skipped (lượt theo lịch bị bỏ qua vì kho đang bận) / Status: running, succeeded, partial (some sources failed or the analysts'' snapshot was not refreshed), failed (nothing written), skipped (a scheduled tick found the warehouse busy)';
