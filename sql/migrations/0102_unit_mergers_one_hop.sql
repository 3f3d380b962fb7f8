-- unit_mergers, one hop: a row per unit standing at the period's end, the
-- unit the merged units went into (their own successor_code) and the
-- merger date. 0013 grouped the merged units by the unit standing at the
-- period's end only, so a chain within one period (A into B on 10/02, B
-- into a new C on 01/03) read "A merged into C from 10/02" (C did not
-- exist then) and "C formed from B" (one predecessor: a rename). The
-- columns of 0013 keep their names, order and meaning (unit_code, name,
-- level: the unit standing at the period's end, whose row a publication
-- annotates); new_unit and the sentence are now about the successor, which
-- is that unit unless a chain runs through the period. Added after them:
-- successor_code, successor_name, renamed.
--
-- A unit code may have several rows (a name changed): the standing unit's
-- name is its row at the period's end, the successor's its row on the
-- merger date (else its first row after it); the successor is new when its
-- code's first row starts on the merger date.
CREATE OR REPLACE VIEW unit_mergers AS
WITH merged AS (
    SELECT p.period, p.end_at, a.standing_unit_code, u.unit_code, u.name,
           u.valid_to AS merged_on, u.successor_code
    FROM periods p
    JOIN units u ON u.valid_to IS NOT NULL AND u.valid_to >= p.start_at AND u.valid_to < p.end_at
                AND u.successor_code IS NOT NULL AND u.successor_code <> u.unit_code
    JOIN unit_attribution a ON a.period = p.period AND a.unit_code = u.unit_code AND a.hops > 0
),
grouped AS (
    SELECT period, end_at, standing_unit_code, successor_code, merged_on,
           list(unit_code ORDER BY unit_code) AS predecessor_codes,
           list(name ORDER BY unit_code) AS predecessor_names
    FROM merged
    GROUP BY period, end_at, standing_unit_code, successor_code, merged_on
),
standing AS (
    SELECT g.period, g.standing_unit_code, u.name, u.level,
           row_number() OVER (
               PARTITION BY g.period, g.standing_unit_code
               ORDER BY (u.valid_from IS NULL OR u.valid_from < g.end_at) DESC,
                        (u.valid_to IS NULL OR u.valid_to >= g.end_at) DESC,
                        u.valid_from DESC NULLS LAST, u.name, u.level
           ) AS pick
    FROM (SELECT DISTINCT period, end_at, standing_unit_code FROM grouped) g
    JOIN units u ON u.unit_code = g.standing_unit_code
),
successor AS (
    SELECT g.successor_code, g.merged_on, u.name,
           row_number() OVER (
               PARTITION BY g.successor_code, g.merged_on
               ORDER BY (u.valid_from IS NULL OR u.valid_from <= g.merged_on) DESC,
                        (u.valid_to IS NULL OR u.valid_to > g.merged_on) DESC,
                        u.valid_from NULLS FIRST, u.name
           ) AS pick
    FROM (SELECT DISTINCT successor_code, merged_on FROM grouped) g
    JOIN units u ON u.unit_code = g.successor_code
),
created AS (
    -- The first day of a code: NULL when a row of it has no valid_from.
    SELECT unit_code,
           CASE WHEN count(*) FILTER (WHERE valid_from IS NULL) = 0 THEN min(valid_from) END AS first_from
    FROM units
    GROUP BY unit_code
)
SELECT g.period, g.standing_unit_code AS unit_code,
       coalesce(st.name, g.standing_unit_code) AS name, coalesce(st.level, '') AS level,
       g.merged_on,
       coalesce(c.first_from = g.merged_on, false) AS new_unit,
       g.predecessor_codes, g.predecessor_names,
       g.successor_code,
       coalesce(su.name, g.successor_code) AS successor_name,
       coalesce(c.first_from = g.merged_on, false) AND len(g.predecessor_codes) = 1 AS renamed
FROM grouped g
LEFT JOIN standing st ON st.period = g.period AND st.standing_unit_code = g.standing_unit_code AND st.pick = 1
LEFT JOIN successor su ON su.successor_code = g.successor_code AND su.merged_on = g.merged_on AND su.pick = 1
LEFT JOIN created c ON c.unit_code = g.successor_code;
COMMENT ON VIEW unit_mergers IS 'Các đơn vị được sáp nhập, hợp nhất, đổi tên trong kỳ: đơn vị kế thừa trực tiếp và đơn vị đứng tên cuối kỳ / Units merged or renamed during each period: their own successor and the unit standing for them at the period end';
COMMENT ON COLUMN unit_mergers.period IS 'Kỳ / Period';
COMMENT ON COLUMN unit_mergers.unit_code IS 'Mã đơn vị kế thừa (còn hiệu lực cuối kỳ) / Unit standing for the merged units at the period end';
COMMENT ON COLUMN unit_mergers.name IS 'Tên đơn vị kế thừa (cuối kỳ) / Name of that unit at the period end';
COMMENT ON COLUMN unit_mergers.level IS 'Cấp của đơn vị kế thừa / Its level';
COMMENT ON COLUMN unit_mergers.merged_on IS 'Ngày sáp nhập (valid_to của đơn vị cũ) / Merger date (valid_to of the merged units)';
COMMENT ON COLUMN unit_mergers.new_unit IS 'Đơn vị nhận (successor_code) được thành lập từ ngày đó (hợp nhất, đổi tên), không phải đơn vị sẵn có (sáp nhập vào) / The successor was created that day (not an existing unit merged into)';
COMMENT ON COLUMN unit_mergers.predecessor_codes IS 'Mã các đơn vị được sáp nhập vào successor_code ngày đó / Codes of the units merged into successor_code that day';
COMMENT ON COLUMN unit_mergers.predecessor_names IS 'Tên các đơn vị được sáp nhập / Names of the merged units';
COMMENT ON COLUMN unit_mergers.successor_code IS 'Mã đơn vị nhận trực tiếp (successor_code của các đơn vị cũ; khác unit_code khi chuỗi sáp nhập đi tiếp trong kỳ) / The merged units'' own successor (one hop; differs from unit_code when a chain runs on within the period)';
COMMENT ON COLUMN unit_mergers.successor_name IS 'Tên đơn vị nhận vào ngày sáp nhập / Name of the successor on the merger date';
COMMENT ON COLUMN unit_mergers.renamed IS 'Đổi tên: đơn vị nhận mới thành lập từ đúng một đơn vị cũ / A rename: the successor was created that day from exactly one unit';
