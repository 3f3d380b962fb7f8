-- The facts of each dossier of {dossiers}: what its outcome depends on
-- apart from the period (10_dossier_outcomes.sql reads them as its
-- settled relation). Computed once per dossier, before the join with the
-- periods multiplies it by the periods it falls in (about four and a half
-- per dossier): the clock, the due time and the outcome it has once
-- finished. A query, not a statement: model/model.go puts it in place of
-- {facts} in 10_dossier_outcomes.sql, or first groups its rows into
-- classes of dossiers that count alike (model/classes.go).
--
-- Clock: effective_finish = finished_at − supplement_days. A due date
-- given without a time (00:00) means "by the end of that day".
-- Resolved: rejected / withdrawn / stopped count on time; more than one
-- supplement request is late; effective finish after the due time is
-- late; on a calendar day before the due day is early; otherwise on time;
-- no due date is on time.
WITH facts AS (
    SELECT d.*,
        d.finished_at - to_microseconds(CAST(round(coalesce(d.supplement_days, 0) * 86400000000) AS BIGINT)) AS f_effective_finish,
        CASE WHEN d.due_at = date_trunc('day', d.due_at) THEN d.due_at + INTERVAL 1 DAY ELSE d.due_at END AS f_due_end
    FROM {dossiers} d
)
SELECT *,
    CASE
        WHEN status IN ('rejected', 'withdrawn', 'stopped') THEN 'on_time'
        WHEN coalesce(supplement_requests, 0) > 1 THEN 'late'
        WHEN due_at IS NULL THEN 'on_time'
        WHEN due_at = date_trunc('day', due_at) AND f_effective_finish >= f_due_end THEN 'late'
        WHEN due_at <> date_trunc('day', due_at) AND f_effective_finish > due_at THEN 'late'
        WHEN CAST(f_effective_finish AS DATE) < CAST(due_at AS DATE) THEN 'early'
        ELSE 'on_time'
    END AS f_resolved,
    status = 'supplement_requested' AND finished_at IS NULL AS f_waiting
FROM facts
