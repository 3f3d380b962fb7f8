-- Unit history (DESIGN.md, "Unit history"): which unit stands for a unit's
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
