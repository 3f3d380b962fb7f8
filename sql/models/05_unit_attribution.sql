-- unit_attribution: for every period and every registered unit, the unit
-- standing for its dossiers at the period's end (docs/contract.md, "Unit
-- history"). From units and periods.
--
-- A unit stands at the end E (exclusive) of a period when valid_from < E
-- (or empty) and valid_to >= E (or empty): valid_to is the first day the
-- unit no longer exists, so a unit with valid_to = E existed on the
-- period's last day. A unit dissolved by E (valid_to < E) passes its
-- dossiers to its successor, following the chain until a unit that stands
-- (or the chain's end: a dissolved unit without successor keeps its own
-- dossiers, so nothing is lost; cchc validate warns about it). A unit not
-- yet created at E keeps its own. units.Parse refuses looping chains; the
-- depth limit only guards the recursion.
DELETE FROM unit_attribution;
INSERT INTO unit_attribution
WITH RECURSIVE state AS (
    SELECT p.period, p.end_at, u.unit_code, nullif(u.successor_code, '') AS successor_code,
           (u.valid_from IS NULL OR u.valid_from < p.end_at) AND (u.valid_to IS NULL OR u.valid_to >= p.end_at) AS stands,
           u.valid_to IS NOT NULL AND u.valid_to < p.end_at AS dissolved
    FROM periods p CROSS JOIN units u
), chain AS (
    SELECT period, unit_code, unit_code AS at_code, 0 AS hops FROM state
    UNION ALL
    SELECT c.period, c.unit_code, s.successor_code, c.hops + 1
    FROM chain c
    JOIN state s ON s.period = c.period AND s.unit_code = c.at_code
    WHERE s.dissolved AND s.successor_code IS NOT NULL AND c.hops < 64
)
SELECT c.period, c.unit_code, arg_max(c.at_code, c.hops), bool_or(s.stands), max(c.hops)
FROM chain c JOIN state s ON s.period = c.period AND s.unit_code = c.unit_code
GROUP BY c.period, c.unit_code;
