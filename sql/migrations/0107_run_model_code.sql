-- The model's code a run rebuilt the model with (model.CodeStamp): a hash
-- of the model's SQL and a version of its Go side. When the code that
-- computes the statistics, scores and ranks changes (an upgrade that
-- fixes how a score is computed), the next run rebuilds every period, so
-- that no published period keeps what the old code computed. NULL (runs
-- before this column): rebuilt once.
ALTER TABLE runs ADD COLUMN model_code VARCHAR;
COMMENT ON COLUMN runs.model_code IS 'Phiên bản mã tính số liệu, chỉ số mà lần chạy đã dùng; mã đổi thì lần chạy sau tính lại mọi kỳ / The model code the run rebuilt the model with; a change rebuilds every period';
