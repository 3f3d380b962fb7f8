-- dossier_stats: the official handling report (form II.06a) per unit × field
-- × period, plus a total row per unit with field = '*', for the periods the
-- model rebuilds. From model_outcomes (dossier_outcomes over the temporary
-- model_periods; the model deletes those periods' rows first).
-- Identities (checked by tests over the whole warehouse):
--   received_total = received_online + received_direct_postal + carried_over
--                  = resolved_total + pending_total
--   resolved_total = resolved_early + resolved_on_time + resolved_late
--   pending_total  = pending_in_time + pending_overdue
-- The same pass over the outcomes evaluates the methodology's indicator
-- aggregates (the placeholders in braces, model/model.go) for the total rows: one join
-- of dossiers and periods instead of two. They land in the temporary
-- model_agg, whose rows with all_fields = 1 are the indicators' input.
CREATE OR REPLACE TEMP TABLE model_agg AS
SELECT
    period,
    unit_code,
    grouping(field_name) AS all_fields,
    CASE WHEN grouping(field_name) = 1 THEN '*' ELSE field_name END AS field,
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
    count(*) FILTER (WHERE NOT finished_in_period AND status = 'supplement_requested') AS supplement_requested{indicators}
FROM (SELECT *, coalesce(field, '(chưa phân loại)') AS field_name FROM model_outcomes)
GROUP BY GROUPING SETS ((period, unit_code, field_name), (period, unit_code));
INSERT INTO dossier_stats SELECT * EXCLUDE (all_fields{indicator_columns}) FROM model_agg;
