-- unit_attribution: for every period and every registered unit, the unit
-- standing for its dossiers at the period's end (DESIGN.md, "Unit
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

-- unit_mergers: per period, the mergers that affect it: units that stood
-- at the start of the period (the previous period's end) and were merged
-- before its end, grouped by the unit standing for them at the end. Read
-- by the publications ("Xã X được hợp nhất từ xã A, xã B từ 01/07/2025").
CREATE OR REPLACE VIEW unit_mergers AS
SELECT p.period, a.standing_unit_code AS unit_code, su.name, su.level,
       u.valid_to AS merged_on,
       coalesce(su.valid_from = u.valid_to, false) AS new_unit,
       list(u.unit_code ORDER BY u.unit_code) AS predecessor_codes,
       list(u.name ORDER BY u.unit_code) AS predecessor_names
FROM periods p
JOIN units u ON u.valid_to IS NOT NULL AND u.valid_to >= p.start_at AND u.valid_to < p.end_at
JOIN unit_attribution a ON a.period = p.period AND a.unit_code = u.unit_code AND a.hops > 0
JOIN units su ON su.unit_code = a.standing_unit_code
GROUP BY ALL;
COMMENT ON VIEW unit_mergers IS 'Các đơn vị được sáp nhập, hợp nhất trong kỳ và đơn vị kế thừa / Units merged during each period and the unit standing for them';
