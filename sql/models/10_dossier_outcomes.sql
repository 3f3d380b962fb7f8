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
-- {current}, {outcomes}, {restated} name the relations, {dossiers} the
-- dossiers (or the versions a run added or removed, whose counts the
-- model adds or subtracts); the placeholder
-- after JOIN below is the periods' units of 09_outcome_units.sql;
-- model/model.go).
CREATE OR REPLACE {view} {outcomes} AS
WITH facts AS (
    -- What depends on the dossier alone is computed once per dossier,
    -- before the join multiplies it by the periods it falls in (about
    -- four and a half per dossier): the clock, the due time and the
    -- outcome it has once finished.
    SELECT d.*,
        d.finished_at - to_microseconds(CAST(round(coalesce(d.supplement_days, 0) * 86400000000) AS BIGINT)) AS f_effective_finish,
        CASE WHEN d.due_at = date_trunc('day', d.due_at) THEN d.due_at + INTERVAL 1 DAY ELSE d.due_at END AS f_due_end
    FROM {dossiers} d
), settled AS (
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
), joined AS (
    -- The periods' units: each period with each unit code and the unit standing for it
    -- (09_outcome_units.sql; small). The dossiers join it on their unit
    -- code and filter on the dates: the hash table must be built on this
    -- side. The model gives it as a temporary table, whose exact size the
    -- optimizer knows: from a subquery it once estimated the dates' join
    -- at a few hundred rows and built the hash table on the millions of
    -- dossiers instead (35 s instead of 1 s at a million dossiers).
    SELECT pa.period AS p_period, pa.kind AS p_kind, pa.start_at AS p_start, pa.end_at AS p_end,
           pa.standing_unit_code AS p_standing, d.*
    FROM settled d
    JOIN {pa} pa ON pa.unit_code = d.unit_code
           AND d.received_at < pa.end_at AND (d.finished_at IS NULL OR d.finished_at >= pa.start_at)
), scoped AS (
    SELECT
        j.p_period AS period,
        j.p_kind AS period_kind,
        j.p_start AS period_start,
        j.p_end AS period_end,
        j.* EXCLUDE (p_period, p_kind, p_start, p_end, p_standing, f_effective_finish, f_due_end, f_resolved, f_waiting)
            REPLACE (coalesce(j.p_standing, j.unit_code) AS unit_code),
        j.unit_code AS received_unit_code,
        j.received_at >= j.p_start AS received_in_period,
        j.received_at < j.p_start AS carried_over,
        j.finished_at IS NOT NULL AND j.finished_at < j.p_end AS finished_in_period,
        j.f_effective_finish AS effective_finish,
        j.f_due_end AS due_end,
        j.f_resolved,
        j.f_waiting
    FROM joined j
)
SELECT
    * EXCLUDE (f_resolved, f_waiting),
    CASE
        WHEN finished_in_period THEN f_resolved
        WHEN f_waiting THEN 'pending_in_time'
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
WITH ca AS (
    -- As in {outcomes}: the small side of the join on units, unit codes
    -- outside the registry included (they stand for themselves).
    SELECT cur.period, cur.previous_period, a.unit_code, a.standing_unit_code
    FROM {current} cur JOIN unit_attribution a ON a.period = cur.period
    UNION ALL
    SELECT cur.period, cur.previous_period, u.unit_code, NULL
    FROM {current} cur, (SELECT DISTINCT unit_code FROM {dossiers}
        WHERE unit_code NOT IN (SELECT unit_code FROM unit_attribution)) u
)
SELECT o.* REPLACE (ca.period AS period, coalesce(ca.standing_unit_code, o.received_unit_code) AS unit_code),
       o.period AS restated_period
FROM {outcomes} o
JOIN ca ON ca.previous_period = o.period AND ca.unit_code = o.received_unit_code;
