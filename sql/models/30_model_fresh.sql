-- model_fresh (temporary): how far each unit's data reaches in every
-- period, for index_scores.data_until. Computed for every period so that
-- the model can see which periods' data_until moved (model/model.go).
-- A unit's data covers up to the newest moment in the dossiers it
-- delivered (received, finished or returned), capped at the last moment
-- inside the period, end_at - 1 microsecond (TIMESTAMP's resolution):
-- end_at itself is exclusive, the first moment of the next period, and
-- capping there made publications say "data until 01/10" of a quarter
-- that ends on 30/09. Staleness is unchanged by the microsecond: a unit is
-- stale when data_until < least(end_at, run) - freshness, and freshness
-- is at least a microsecond when the check is on. Not the time of the
-- last run: a unit whose exports stop
-- arriving turns stale while the nightly run keeps succeeding. A
-- successor's data includes what its merged units delivered. Each unit
-- code's newest moment is kept in unit_covered, updated with the counts
-- (model/counts.go, updateCovered): reading it from every dossier took
-- a quarter of a second of each nightly run at 5 million dossiers.
CREATE OR REPLACE TEMP TABLE model_fresh AS
SELECT p.period, coalesce(a.standing_unit_code, d.unit_code) AS unit_code, least(p.end_at - INTERVAL 1 MICROSECOND, max(d.covered)) AS data_until
FROM unit_covered d
CROSS JOIN periods p
LEFT JOIN unit_attribution a ON a.period = p.period AND a.unit_code = d.unit_code
GROUP BY p.period, p.end_at, coalesce(a.standing_unit_code, d.unit_code);
