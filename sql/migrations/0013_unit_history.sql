-- Unit history (docs/contract.md, "Unit history"): which unit stands for a unit's
-- dossiers at the end of each period. Filled by the model step from units
-- and periods; dossier_outcomes, dossier_stats, indicator_values,
-- index_scores (and any other index) read their unit through it.
CREATE TABLE unit_attribution (
    period             VARCHAR NOT NULL,
    unit_code          VARCHAR NOT NULL,
    standing_unit_code VARCHAR NOT NULL,
    stands             BOOLEAN NOT NULL,
    hops               INTEGER NOT NULL
);
COMMENT ON TABLE unit_attribution IS 'Đơn vị đứng tên số liệu của từng đơn vị vào cuối từng kỳ (theo chuỗi đơn vị kế thừa sau sáp nhập) / The unit standing for each unit''s dossiers at the end of each period (following the successor chain)';
COMMENT ON COLUMN unit_attribution.period IS 'Kỳ / Period';
COMMENT ON COLUMN unit_attribution.unit_code IS 'Mã đơn vị tiếp nhận hồ sơ / Receiving unit code';
COMMENT ON COLUMN unit_attribution.standing_unit_code IS 'Mã đơn vị được tính số liệu vào cuối kỳ: chính đơn vị đó, hoặc đơn vị kế thừa cuối chuỗi nếu đã giải thể, sáp nhập / Unit the dossiers count for at the period end: the unit itself, or the end of its successor chain once dissolved';
COMMENT ON COLUMN unit_attribution.stands IS 'Đơn vị còn hiệu lực vào cuối kỳ (valid_from trước cuối kỳ, valid_to trống hoặc không trước cuối kỳ) / The unit itself exists at the period end';
COMMENT ON COLUMN unit_attribution.hops IS 'Số lần chuyển sang đơn vị kế thừa (0: không chuyển) / Successor links followed (0: none)';

-- unit_mergers: per period, the mergers that affect it: units that stood
-- at the start of the period (the previous period's end) and were merged
-- before its end, grouped by the unit standing for them at the end. Read
-- by the publications ("Xã X được hợp nhất từ xã A, xã B từ 01/07/2025").
CREATE VIEW unit_mergers AS
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
COMMENT ON COLUMN unit_mergers.period IS 'Kỳ / Period';
COMMENT ON COLUMN unit_mergers.unit_code IS 'Mã đơn vị kế thừa (còn hiệu lực cuối kỳ) / Unit standing for the merged units at the period end';
COMMENT ON COLUMN unit_mergers.name IS 'Tên đơn vị kế thừa / Name of that unit';
COMMENT ON COLUMN unit_mergers.level IS 'Cấp của đơn vị kế thừa / Its level';
COMMENT ON COLUMN unit_mergers.merged_on IS 'Ngày sáp nhập (valid_to của đơn vị cũ) / Merger date (valid_to of the merged units)';
COMMENT ON COLUMN unit_mergers.new_unit IS 'Đơn vị kế thừa được thành lập từ ngày đó (hợp nhất), không phải đơn vị sẵn có (sáp nhập vào) / The standing unit was created that day (not an existing unit merged into)';
COMMENT ON COLUMN unit_mergers.predecessor_codes IS 'Mã các đơn vị được sáp nhập / Codes of the merged units';
COMMENT ON COLUMN unit_mergers.predecessor_names IS 'Tên các đơn vị được sáp nhập / Names of the merged units';

-- Movement compares with the previous period restated on this period's
-- units (sql/models/40_index_scores.sql).
COMMENT ON COLUMN index_scores.previous_rank IS 'Thứ hạng kỳ trước cùng loại, tính lại theo các đơn vị của kỳ này (sau sáp nhập) / Rank in the previous period of the same kind, restated on this period''s units';
COMMENT ON COLUMN index_scores.previous_score IS 'Tổng điểm kỳ trước, tính lại theo các đơn vị của kỳ này / Total score in the previous period, restated on this period''s units';
