-- The units of the outcome views (10_dossier_outcomes.sql): each period of
-- {periods} with each unit code and the unit standing for it at the
-- period's end (unit_attribution), plus every unit code of {dossiers}
-- (dossiers, or the versions a run changed) outside the registry, which
-- keeps its own dossiers. A query, not a statement: the
-- model stores it in a temporary table, the public views inline it.
SELECT p.period, p.kind, p.start_at, p.end_at, a.unit_code, a.standing_unit_code
FROM {periods} p JOIN unit_attribution a ON a.period = p.period
UNION ALL
-- A unit code outside the registry: its codes are found first (one pass
-- over a column), so the dossiers are joined once; an anti-join after the
-- date join read every in-scope row again.
SELECT p.period, p.kind, p.start_at, p.end_at, u.unit_code, NULL
FROM {periods} p, (SELECT DISTINCT unit_code FROM {dossiers}
    WHERE unit_code NOT IN (SELECT unit_code FROM unit_attribution)) u
