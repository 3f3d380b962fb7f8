-- outcome_counts: outcomes (the placeholder after FROM: model_outcomes,
-- or the outcomes of the versions a run added or removed) counted per
-- period, unit (standing at the period's end), receiving unit and field.
-- Its columns are the counts of the official handling report (form
-- II.06a) and, after them, the count calls of the methodology's
-- indicators as c1, c2, ... (the placeholder after the last column,
-- model/counts.go). received_total is count(*): a row with none is not
-- kept.
--
-- Counts add up: a period's dossier_stats and indicator counts per unit
-- are sums of these rows (21_dossier_stats.sql, model/model.go), and a run
-- that changes a few dossiers subtracts the counts of their old versions
-- and adds those of their new ones, instead of counting every dossier of
-- the periods they reach again. The receiving unit is kept so that a
-- previous period restated on another period's units (docs/contract.md,
-- "Unit history") is a sum of these rows too.
--
-- Identities (checked by tests over the whole warehouse):
--   received_total = received_online + received_direct_postal + carried_over
--                  = resolved_total + pending_total
--   resolved_total = resolved_early + resolved_on_time + resolved_late
--   pending_total  = pending_in_time + pending_overdue
--
-- A field of '*' is counted as none: '*' is the total row of dossier_stats
-- (21_dossier_stats.sql), so a field of that name would make a second one.
-- The transform (transforms/canonical.go) loads such a field as NULL; a
-- warehouse loaded before it did may still hold one.
SELECT
    period,
    unit_code,
    received_unit_code,
    coalesce(nullif(field, '*'), '(chưa phân loại)') AS field,
    count(*) AS received_total,
    count(*) FILTER (WHERE received_in_period AND channel = 'online') AS received_online,
    count(*) FILTER (WHERE received_in_period AND channel <> 'online') AS received_direct_postal,
    count(*) FILTER (WHERE carried_over) AS carried_over,
    count(*) FILTER (WHERE finished_in_period) AS resolved_total,
    count(*) FILTER (WHERE finished_in_period AND outcome = 'early') AS resolved_early,
    count(*) FILTER (WHERE finished_in_period AND outcome = 'on_time') AS resolved_on_time,
    count(*) FILTER (WHERE finished_in_period AND outcome = 'late') AS resolved_late,
    count(*) FILTER (WHERE NOT finished_in_period) AS pending_total,
    count(*) FILTER (WHERE outcome = 'pending_in_time') AS pending_in_time,
    count(*) FILTER (WHERE outcome = 'pending_overdue') AS pending_overdue,
    count(*) FILTER (WHERE finished_in_period AND status = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE finished_in_period AND status = 'rejected') AS rejected,
    count(*) FILTER (WHERE finished_in_period AND status = 'stopped') AS stopped,
    count(*) FILTER (WHERE NOT finished_in_period AND status = 'supplement_requested') AS supplement_requested
    {counts}
FROM {outcomes}
GROUP BY period, unit_code, received_unit_code, coalesce(nullif(field, '*'), '(chưa phân loại)')
