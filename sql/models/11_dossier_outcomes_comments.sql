-- The comments of the public outcome views (10_dossier_outcomes.sql).
COMMENT ON VIEW dossier_outcomes IS 'Kết quả xử lý của từng hồ sơ trong từng kỳ (trước hạn, đúng hạn, quá hạn, đang giải quyết trong hạn, quá hạn) / Outcome of every dossier in every period in scope';
COMMENT ON VIEW dossier_outcomes_restated IS 'Kết quả xử lý hồ sơ của kỳ trước, tính cho các đơn vị còn hiệu lực cuối kỳ này (so sánh cùng cơ sở sau sáp nhập) / The previous period''s outcomes counted for the units standing at this period''s end';
