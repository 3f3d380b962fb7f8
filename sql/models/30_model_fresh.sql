-- model_fresh (temporary): how far each unit's data reaches in every
-- period, for index_scores.data_until. Computed for every period so that
-- the model can see which periods' data_until moved (model/model.go).
-- A query, not a statement: the model stores it in model_fresh, and
-- model.OutdatedPeriods compares it with index_scores, so that a change
-- of freshness alone rebuilds the periods whose data_until it moves.
-- Parameter: $1 freshness in microseconds (0: off).
-- A unit's data covers up to the newest moment in the dossiers it
-- delivered (received, finished or returned), capped at the last moment
-- inside the period, end_at - 1 microsecond (TIMESTAMP's resolution):
-- end_at itself is exclusive, the first moment of the next period, and
-- capping there made publications say "data until 01/10" of a quarter
-- that ends on 30/09. Staleness is unchanged by the microsecond: a unit is
-- stale when data_until < least(end_at, run) - freshness, and freshness
-- is at least a microsecond when the check is on. Not the time of the
-- last run: a unit whose exports stop
-- arriving turns stale while the nightly run keeps succeeding. Each unit
-- code's newest moment is kept in unit_covered, updated with the counts
-- (model/counts.go, updateCovered): reading it from every dossier took
-- a quarter of a second of each nightly run at 5 million dossiers.
--
-- A successor's data includes what its merged units delivered, and is as
-- fresh as the oldest of them: a merged unit dissolved during the period
-- (start_at < valid_to < end_at) whose newest moment is more than
-- freshness before its valid_to stopped delivering before its end (its
-- exports were expected until valid_to, not after), and the successor's
-- data reaches only that moment, so it turns stale. One dissolved before
-- the period delivers nothing in it, and one whose data reaches its
-- valid_to (or beyond: an export still naming it) does not hold the
-- successor back; the successor's own data and theirs give the newest
-- moment otherwise, as before.
WITH c AS (
    SELECT p.period, p.end_at, coalesce(a.standing_unit_code, d.unit_code) AS unit_code, d.covered,
           $1 > 0 AND u.valid_to > p.start_at AND u.valid_to < p.end_at
             AND d.covered < u.valid_to - to_microseconds(CAST($1 AS BIGINT)) AS stopped
    FROM unit_covered d
    CROSS JOIN periods p
    LEFT JOIN unit_attribution a ON a.period = p.period AND a.unit_code = d.unit_code
    LEFT JOIN units u ON u.unit_code = d.unit_code
)
SELECT period, unit_code,
       least(end_at - INTERVAL 1 MICROSECOND, max(covered), coalesce(min(covered) FILTER (WHERE stopped), max(covered))) AS data_until
FROM c
GROUP BY period, end_at, unit_code
