-- dossier_outcomes: every dossier in scope of every period, with its outcome
-- for that period (docs/contract.md, "Outcomes and periods"). From dossiers × periods.
--
-- In scope of [start, end): received before the end and not finished before
-- the start (received in the period, or carried over into it).
-- The clock (effective_finish, due_end) and the outcome a dossier has once
-- finished: 08_dossier_facts.sql. Pending at the end: waiting for the citizen is in time;
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
WITH settled AS (
    -- 08_dossier_facts.sql over {dossiers}, or the classes of dossiers
    -- that count alike (model/classes.go).
    {facts}
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
