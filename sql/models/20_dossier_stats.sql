-- dossier_stats: the official handling report (form II.06a) per unit × field
-- × period, plus a total row per unit with field = '*', for the periods the
-- model rebuilds. From model_outcomes (dossier_outcomes over the temporary
-- model_periods; the model deletes those periods' rows first).
-- Identities (checked by tests over the whole warehouse):
--   received_total = received_online + received_direct_postal + carried_over
--                  = resolved_total + pending_total
--   resolved_total = resolved_early + resolved_on_time + resolved_late
--   pending_total  = pending_in_time + pending_overdue
--
-- Every dossier of a unit's period falls in exactly one field, so the
-- unit's total row is the sum of its field rows: one aggregate over the
-- outcomes, by field, instead of grouping sets (which fed every outcome
-- row to two hash tables and cost a third more at a million dossiers).
-- The methodology's indicators are aggregates of any shape, not sums,
-- and are evaluated per unit by the model in a second pass
-- (model/model.go).
CREATE OR REPLACE TEMP TABLE model_agg AS
SELECT
    period,
    unit_code,
    coalesce(field, '(chưa phân loại)') AS field,
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
FROM model_outcomes
GROUP BY period, unit_code, coalesce(field, '(chưa phân loại)');

INSERT INTO dossier_stats SELECT * FROM model_agg;

INSERT INTO dossier_stats
SELECT period, unit_code, '*', sum(COLUMNS(* EXCLUDE (period, unit_code, field)))
FROM model_agg
GROUP BY period, unit_code;
