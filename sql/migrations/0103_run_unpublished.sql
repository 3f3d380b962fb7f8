-- A run records what it failed to publish, so that the next run writes it
-- again even when it loads nothing: the periods whose files were not
-- written and "lake" when publish.lake was not brought up to date, comma
-- separated. NULL: the run did not get to publishing (failed, --no-publish,
-- its model failed): the last run that did holds what is still pending.
-- '': it wrote everything it had to.
ALTER TABLE runs ADD COLUMN unpublished VARCHAR;
COMMENT ON COLUMN runs.unpublished IS 'Các kỳ (và "lake") lần chạy chưa ghi được bản công bố; lần chạy sau ghi lại. NULL: lần chạy không đến bước công bố / Periods (and "lake") the run failed to publish; the next run writes them';
