-- Model tables: reporting periods, the official dossier-handling statistics
-- (form II.06a), indicator values and index scores. They are rebuilt from
-- `dossiers` by the model step of every run that loads something.

CREATE TABLE periods (
    period          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    convention      VARCHAR NOT NULL,
    start_at        TIMESTAMP NOT NULL,
    end_at          TIMESTAMP NOT NULL,
    previous_period VARCHAR
);
COMMENT ON TABLE periods IS 'Kỳ báo cáo [start_at, end_at) theo quy ước đã cấu hình / Reporting periods [start_at, end_at) under the configured convention';
COMMENT ON COLUMN periods.period IS 'Kỳ: YYYY-MM, YYYY-Qn, YYYY-H1|H2, YYYY / Period';
COMMENT ON COLUMN periods.kind IS 'Loại kỳ: month, quarter, half, year / Kind of period';
COMMENT ON COLUMN periods.convention IS 'Quy ước: calendar (lịch) hoặc decree09 (15/12 đến 14/12) / Boundary convention';
COMMENT ON COLUMN periods.start_at IS 'Bắt đầu (bao gồm) / Start (inclusive)';
COMMENT ON COLUMN periods.end_at IS 'Kết thúc (không bao gồm) / End (exclusive)';
COMMENT ON COLUMN periods.previous_period IS 'Kỳ liền trước cùng loại / Previous period of the same kind';

CREATE TABLE dossier_stats (
    period                 VARCHAR NOT NULL,
    unit_code              VARCHAR NOT NULL,
    field                  VARCHAR NOT NULL,
    received_total         BIGINT NOT NULL,
    received_online        BIGINT NOT NULL,
    received_direct_postal BIGINT NOT NULL,
    carried_over           BIGINT NOT NULL,
    resolved_total         BIGINT NOT NULL,
    resolved_early         BIGINT NOT NULL,
    resolved_on_time       BIGINT NOT NULL,
    resolved_late          BIGINT NOT NULL,
    pending_total          BIGINT NOT NULL,
    pending_in_time        BIGINT NOT NULL,
    pending_overdue        BIGINT NOT NULL,
    withdrawn              BIGINT NOT NULL,
    rejected               BIGINT NOT NULL,
    stopped                BIGINT NOT NULL,
    supplement_requested   BIGINT NOT NULL
);
COMMENT ON TABLE dossier_stats IS 'Tình hình giải quyết hồ sơ TTHC (mẫu II.06a) theo đơn vị, lĩnh vực, kỳ; field = * là tổng của đơn vị / Dossier handling statistics (form II.06a) per unit, field and period; field = * is the unit total';
COMMENT ON COLUMN dossier_stats.period IS 'Kỳ báo cáo / Period';
COMMENT ON COLUMN dossier_stats.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN dossier_stats.field IS 'Lĩnh vực (* = tổng) / Field (* = all fields)';
COMMENT ON COLUMN dossier_stats.received_total IS 'Tổng số hồ sơ tiếp nhận = trực tuyến + trực tiếp, bưu chính + kỳ trước chuyển qua / Total = online + direct or postal + carried over';
COMMENT ON COLUMN dossier_stats.received_online IS 'Tiếp nhận trong kỳ: trực tuyến / Received in the period online';
COMMENT ON COLUMN dossier_stats.received_direct_postal IS 'Tiếp nhận trong kỳ: trực tiếp và qua bưu chính công ích / Received in the period directly or by post';
COMMENT ON COLUMN dossier_stats.carried_over IS 'Từ kỳ trước chuyển qua / Carried over from the previous period';
COMMENT ON COLUMN dossier_stats.resolved_total IS 'Số hồ sơ đã giải quyết = trước hạn + đúng hạn + quá hạn / Resolved = early + on time + late';
COMMENT ON COLUMN dossier_stats.resolved_early IS 'Giải quyết trước hạn / Resolved early';
COMMENT ON COLUMN dossier_stats.resolved_on_time IS 'Giải quyết đúng hạn (gồm từ chối, rút, dừng) / Resolved on time (incl. rejected, withdrawn, stopped)';
COMMENT ON COLUMN dossier_stats.resolved_late IS 'Giải quyết quá hạn / Resolved late';
COMMENT ON COLUMN dossier_stats.pending_total IS 'Số hồ sơ đang giải quyết = trong hạn + quá hạn / Pending = in time + overdue';
COMMENT ON COLUMN dossier_stats.pending_in_time IS 'Đang giải quyết trong hạn (gồm chờ bổ sung) / Pending in time (incl. waiting for the citizen)';
COMMENT ON COLUMN dossier_stats.pending_overdue IS 'Đang giải quyết quá hạn / Pending overdue';
COMMENT ON COLUMN dossier_stats.withdrawn IS 'Trong đó: rút hồ sơ / Of which withdrawn';
COMMENT ON COLUMN dossier_stats.rejected IS 'Trong đó: từ chối giải quyết / Of which rejected';
COMMENT ON COLUMN dossier_stats.stopped IS 'Trong đó: dừng xử lý / Of which stopped';
COMMENT ON COLUMN dossier_stats.supplement_requested IS 'Trong đó: chờ công dân bổ sung / Of which waiting for the citizen';

CREATE TABLE indicator_values (
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    period              VARCHAR NOT NULL,
    unit_code           VARCHAR NOT NULL,
    group_code          VARCHAR NOT NULL,
    indicator_code      VARCHAR NOT NULL,
    numerator           DOUBLE,
    denominator         DOUBLE,
    rate                DOUBLE,
    threshold           DOUBLE NOT NULL,
    points              DOUBLE,
    max_points          DOUBLE NOT NULL
);
COMMENT ON TABLE indicator_values IS 'Giá trị từng chỉ số theo đơn vị và kỳ / Indicator values per unit and period';
COMMENT ON COLUMN indicator_values.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN indicator_values.methodology_version IS 'Phiên bản phương pháp / Methodology version';
COMMENT ON COLUMN indicator_values.period IS 'Kỳ / Period';
COMMENT ON COLUMN indicator_values.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN indicator_values.group_code IS 'Nhóm chỉ số (CKMB, TDGQ, ...) / Indicator group';
COMMENT ON COLUMN indicator_values.indicator_code IS 'Mã chỉ số / Indicator code';
COMMENT ON COLUMN indicator_values.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN indicator_values.denominator IS 'Mẫu số (0: không áp dụng) / Denominator (0: not applicable)';
COMMENT ON COLUMN indicator_values.rate IS 'Tỷ lệ, NULL nếu không áp dụng (N/A) / Rate, NULL when N/A';
COMMENT ON COLUMN indicator_values.threshold IS 'Ngưỡng đạt điểm tối đa / Rate that earns full points';
COMMENT ON COLUMN indicator_values.points IS 'Điểm = điểm tối đa × min(1, tỷ lệ / ngưỡng), NULL nếu N/A / Points, NULL when N/A';
COMMENT ON COLUMN indicator_values.max_points IS 'Điểm tối đa / Maximum points';

CREATE TABLE index_scores (
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    period              VARCHAR NOT NULL,
    unit_code           VARCHAR NOT NULL,
    peer_group          VARCHAR NOT NULL,
    group_scores        JSON NOT NULL,
    na_indicators       VARCHAR[],
    total_score         DOUBLE,
    rank                INTEGER,
    peer_count          INTEGER,
    tier                VARCHAR,
    previous_rank       INTEGER,
    previous_score      DOUBLE,
    rank_change         INTEGER,
    score_change        DOUBLE,
    data_until          TIMESTAMP
);
COMMENT ON TABLE index_scores IS 'Điểm và xếp hạng chỉ số phục vụ theo đơn vị, kỳ, nhóm so sánh / Service index scores and ranks per unit, period and peer group';
COMMENT ON COLUMN index_scores.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN index_scores.methodology_version IS 'Phiên bản phương pháp / Methodology version';
COMMENT ON COLUMN index_scores.period IS 'Kỳ / Period';
COMMENT ON COLUMN index_scores.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN index_scores.peer_group IS 'Nhóm so sánh (mặc định theo cấp: department, district, commune) / Peer group';
COMMENT ON COLUMN index_scores.group_scores IS 'Điểm từng nhóm chỉ số {mã nhóm: điểm} / Score of each indicator group';
COMMENT ON COLUMN index_scores.na_indicators IS 'Chỉ số không áp dụng (mẫu số 0), nhóm được quy đổi / Indicators N/A (denominator 0); their group was rescaled';
COMMENT ON COLUMN index_scores.total_score IS 'Tổng điểm (thang 100) / Total score out of 100';
COMMENT ON COLUMN index_scores.rank IS 'Thứ hạng trong nhóm (1, 2, 2, 4) / Competition rank within the peer group';
COMMENT ON COLUMN index_scores.peer_count IS 'Số đơn vị trong nhóm / Units in the peer group';
COMMENT ON COLUMN index_scores.tier IS 'Xếp loại (Xuất sắc, Tốt, Khá, Trung bình, Yếu) / Tier';
COMMENT ON COLUMN index_scores.previous_rank IS 'Thứ hạng kỳ trước cùng loại / Rank in the previous period of the same kind';
COMMENT ON COLUMN index_scores.previous_score IS 'Tổng điểm kỳ trước / Total score in the previous period';
COMMENT ON COLUMN index_scores.rank_change IS 'Số bậc tăng (+) hoặc giảm (-) / Places gained (+) or lost (-)';
COMMENT ON COLUMN index_scores.score_change IS 'Điểm tăng giảm so với kỳ trước / Score change since the previous period';
COMMENT ON COLUMN index_scores.data_until IS 'Dữ liệu của đơn vị cập nhật đến (lần lấy thành công gần nhất của nguồn, tối đa là cuối kỳ) / The unit''s data is current up to (last successful fetch of its sources, at most the period end)';

CREATE TABLE index_groups (
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    group_code          VARCHAR NOT NULL,
    position            INTEGER NOT NULL,
    name_vi             VARCHAR NOT NULL,
    name_en             VARCHAR NOT NULL,
    max_points          DOUBLE NOT NULL
);
COMMENT ON TABLE index_groups IS 'Các nhóm chỉ số của phương pháp / Indicator groups of a methodology';
COMMENT ON COLUMN index_groups.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN index_groups.methodology_version IS 'Phiên bản / Version';
COMMENT ON COLUMN index_groups.group_code IS 'Mã nhóm / Group code';
COMMENT ON COLUMN index_groups.position IS 'Thứ tự hiển thị / Display order';
COMMENT ON COLUMN index_groups.name_vi IS 'Tên nhóm (tiếng Việt) / Group name in Vietnamese';
COMMENT ON COLUMN index_groups.name_en IS 'Tên nhóm (tiếng Anh) / Group name in English';
COMMENT ON COLUMN index_groups.max_points IS 'Điểm tối đa của nhóm / Maximum points of the group';
