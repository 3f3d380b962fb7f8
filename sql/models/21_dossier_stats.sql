-- dossier_stats: the official handling report (form II.06a) per unit ×
-- field × period, plus a total row per unit with field = '*', for the
-- periods the model rebuilds (model_periods; the model deletes their rows
-- first). Sums of outcome_counts (20_outcome_counts.sql): every dossier of
-- a unit's period falls in exactly one field, so the unit's total row is
-- the sum of its field rows.
CREATE OR REPLACE TEMP TABLE model_agg AS
SELECT period, unit_code, field,
    sum(received_total), sum(received_online), sum(received_direct_postal), sum(carried_over),
    sum(resolved_total), sum(resolved_early), sum(resolved_on_time), sum(resolved_late),
    sum(pending_total), sum(pending_in_time), sum(pending_overdue),
    sum(withdrawn), sum(rejected), sum(stopped), sum(supplement_requested)
FROM outcome_counts
WHERE period IN (SELECT period FROM model_periods)
GROUP BY period, unit_code, field;

INSERT INTO dossier_stats SELECT * FROM model_agg;

INSERT INTO dossier_stats
SELECT period, unit_code, '*', sum(COLUMNS(* EXCLUDE (period, unit_code, field)))
FROM model_agg
GROUP BY period, unit_code;

DROP TABLE model_agg;
