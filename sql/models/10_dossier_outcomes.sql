-- dossier_outcomes: every dossier in scope of every period, with its outcome
-- for that period (docs/contract.md, "Outcomes and periods"). From dossiers × periods.
--
-- In scope of [start, end): received before the end and not finished before
-- the start (received in the period, or carried over into it).
-- Clock: effective_finish = finished_at − supplement_days. A due date given
-- without a time (00:00) means "by the end of that day".
-- Resolved: rejected / withdrawn / stopped count on time; more than one
-- supplement request is late; effective finish after the due time is late;
-- on a calendar day before the due day is early; otherwise on time; no due
-- date is on time. Pending at the end: waiting for the citizen is in time;
-- due at or after the end (or no due date) is in time; else overdue.
-- Unit: unit_code is the unit standing for the dossier at the period's end
-- (unit_attribution: the receiving unit, or its successor once dissolved);
-- received_unit_code is the unit that received it (dossiers.unit_code).
--
-- The model creates these views twice: as the public dossier_outcomes and
-- dossier_outcomes_restated over every period, and as temporary views over
-- only the periods it rebuilds ({view} is "VIEW" or "TEMP VIEW"; {periods},
-- {current}, {outcomes}, {restated} name the relations; model/model.go).
CREATE OR REPLACE {view} {outcomes} AS
WITH scoped AS (
    SELECT
        p.period,
        p.kind AS period_kind,
        p.start_at AS period_start,
        p.end_at AS period_end,
        d.* REPLACE (coalesce(a.standing_unit_code, d.unit_code) AS unit_code),
        d.unit_code AS received_unit_code,
        d.received_at >= p.start_at AS received_in_period,
        d.received_at < p.start_at AS carried_over,
        d.finished_at IS NOT NULL AND d.finished_at < p.end_at AS finished_in_period,
        d.finished_at - to_microseconds(CAST(round(coalesce(d.supplement_days, 0) * 86400000000) AS BIGINT)) AS effective_finish,
        CASE WHEN d.due_at = date_trunc('day', d.due_at) THEN d.due_at + INTERVAL 1 DAY ELSE d.due_at END AS due_end
    FROM dossiers d
    JOIN {periods} p ON d.received_at < p.end_at AND (d.finished_at IS NULL OR d.finished_at >= p.start_at)
    LEFT JOIN unit_attribution a ON a.period = p.period AND a.unit_code = d.unit_code
)
SELECT
    *,
    CASE
        WHEN finished_in_period THEN CASE
            WHEN status IN ('rejected', 'withdrawn', 'stopped') THEN 'on_time'
            WHEN coalesce(supplement_requests, 0) > 1 THEN 'late'
            WHEN due_at IS NULL THEN 'on_time'
            WHEN due_at = date_trunc('day', due_at) AND effective_finish >= due_end THEN 'late'
            WHEN due_at <> date_trunc('day', due_at) AND effective_finish > due_at THEN 'late'
            WHEN CAST(effective_finish AS DATE) < CAST(due_at AS DATE) THEN 'early'
            ELSE 'on_time'
        END
        WHEN status = 'supplement_requested' AND finished_at IS NULL THEN 'pending_in_time'
        WHEN due_at IS NULL OR due_end >= period_end THEN 'pending_in_time'
        ELSE 'pending_overdue'
    END AS outcome
FROM scoped;

-- dossier_outcomes_restated: for each period P, the outcomes of its
-- previous period Q (Q's boundaries, Q's outcomes) counted for the units
-- standing at P's end: the previous period restated on P's units, so that
-- movement compares like with like (docs/contract.md, "Unit history").
-- period is P; restated_period is Q.
CREATE OR REPLACE {view} {restated} AS
SELECT o.* REPLACE (cur.period AS period, coalesce(a.standing_unit_code, o.received_unit_code) AS unit_code),
       o.period AS restated_period
FROM {current} cur
JOIN {outcomes} o ON o.period = cur.previous_period
LEFT JOIN unit_attribution a ON a.period = cur.period AND a.unit_code = o.received_unit_code;
