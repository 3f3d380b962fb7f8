-- Runs record, inside their own transaction, that their data committed and
-- whether they rebuilt the model. A process that dies after the commit (while
-- publishing) is then told apart from one that died before it: its data is
-- in, only its publications must be written again. Publications say "as of"
-- the run that last rebuilt the model, so a run that changes nothing leaves
-- them byte-identical.
ALTER TABLE runs ADD COLUMN committed_at TIMESTAMP;
ALTER TABLE runs ADD COLUMN modelled BOOLEAN;
COMMENT ON COLUMN runs.committed_at IS 'Thời điểm dữ liệu của lần chạy được ghi (NULL: chưa ghi hoặc đã hoàn tác) / When the run''s data committed (NULL: not committed or rolled back)';
COMMENT ON COLUMN runs.modelled IS 'Lần chạy đã tính lại thống kê và chỉ số / The run rebuilt the statistics and indices';
