-- Model tables of the provincial CCHC index (PAR index; DESIGN.md "The
-- provincial CCHC index"): the criteria tree of each period and peer
-- group, every unit's points per criterion (self-assessed and appraised),
-- and the scored, ranked units. Rebuilt by the model step from the input
-- tables of 0011 and the PAR methodology (sql/models/5x_par_*.sql); a
-- methodology with `from:` leaves the rows of earlier periods as they
-- were computed.

CREATE TABLE par_criteria (
    period              VARCHAR NOT NULL,
    peer_group          VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,
    parent_code         VARCHAR,
    depth               INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    name                VARCHAR NOT NULL,
    max_points          DOUBLE,
    rule_text           VARCHAR,
    source              VARCHAR NOT NULL,
    is_leaf             BOOLEAN NOT NULL,
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL
);
COMMENT ON TABLE par_criteria IS 'Cây tiêu chí Chỉ số CCHC theo kỳ và nhóm so sánh / The PAR criteria tree per period and peer group';
COMMENT ON COLUMN par_criteria.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_criteria.peer_group IS 'Nhóm so sánh (cấp đơn vị: department, district, commune) / Peer group (the unit level)';
COMMENT ON COLUMN par_criteria.code IS 'Mã tiêu chí theo đường dẫn: I, I.1, I.1.2 / Path code';
COMMENT ON COLUMN par_criteria.parent_code IS 'Mã nút cha; NULL với lĩnh vực / Parent code; NULL for a field';
COMMENT ON COLUMN par_criteria.depth IS 'Cấp: 1 lĩnh vực, 2 tiêu chí, 3+ tiêu chí thành phần / Depth: 1 field, 2 criterion, 3+ component';
COMMENT ON COLUMN par_criteria.seq IS 'Thứ tự trong phiếu / Order in the sheet';
COMMENT ON COLUMN par_criteria.name IS 'Tên lĩnh vực, tiêu chí / Name of the field or criterion';
COMMENT ON COLUMN par_criteria.max_points IS 'Điểm tối đa / Maximum points';
COMMENT ON COLUMN par_criteria.rule_text IS 'Cách chấm điểm / Scoring rule';
COMMENT ON COLUMN par_criteria.source IS 'Nguồn điểm: appraisal (thẩm định), survey (điều tra xã hội học), data (từ dữ liệu hồ sơ) / Where the points come from';
COMMENT ON COLUMN par_criteria.is_leaf IS 'Nút được chấm trực tiếp (không có nút con được chấm) / The node is scored itself';
COMMENT ON COLUMN par_criteria.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN par_criteria.methodology_version IS 'Phiên bản phương pháp / Methodology version';

CREATE TABLE par_criterion_scores (
    period              VARCHAR NOT NULL,
    unit_code           VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,
    max_points          DOUBLE,
    self_points         DOUBLE,
    appraised_points    DOUBLE,
    applicable          BOOLEAN NOT NULL,
    note                VARCHAR,
    source_file         VARCHAR,
    source_row          BIGINT,
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL
);
COMMENT ON TABLE par_criterion_scores IS 'Điểm từng tiêu chí của đơn vị trong kỳ: tự đánh giá và thẩm định; nút cha là tổng các tiêu chí áp dụng bên dưới / Each unit''s points per criterion and period, self-assessed and appraised; a parent sums the applicable criteria below it';
COMMENT ON COLUMN par_criterion_scores.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_criterion_scores.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN par_criterion_scores.code IS 'Mã tiêu chí / Criterion code';
COMMENT ON COLUMN par_criterion_scores.max_points IS 'Điểm tối đa áp dụng (không tính phần Không áp dụng) / Applicable maximum (not-applicable parts left out)';
COMMENT ON COLUMN par_criterion_scores.self_points IS 'Điểm tự đánh giá / Self-assessed points';
COMMENT ON COLUMN par_criterion_scores.appraised_points IS 'Điểm thẩm định (điểm điều tra xã hội học, điểm tính từ dữ liệu) / Appraised points (survey points, data-fed points)';
COMMENT ON COLUMN par_criterion_scores.applicable IS 'Tiêu chí áp dụng với đơn vị (false: Không áp dụng) / Applicable to the unit (false: not applicable)';
COMMENT ON COLUMN par_criterion_scores.note IS 'Ghi chú: cách tính điểm từ dữ liệu, tiêu chí thiếu / Note: how data-fed points were computed, missing criteria';
COMMENT ON COLUMN par_criterion_scores.source_file IS 'File phiếu chấm điểm / Scoring sheet file';
COMMENT ON COLUMN par_criterion_scores.source_row IS 'Số dòng trong phiếu / Row in the sheet';
COMMENT ON COLUMN par_criterion_scores.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN par_criterion_scores.methodology_version IS 'Phiên bản phương pháp / Methodology version';

CREATE TABLE par_scores (
    period              VARCHAR NOT NULL,
    unit_code           VARCHAR NOT NULL,
    peer_group          VARCHAR NOT NULL,
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,
    self_points         DOUBLE,
    appraised_points    DOUBLE,
    survey_points       DOUBLE,
    bonus_points        DOUBLE,
    penalty_points      DOUBLE,
    total_points        DOUBLE,
    max_points          DOUBLE,
    score               DOUBLE,
    rank                INTEGER,
    peer_count          INTEGER,
    tier                VARCHAR,
    previous_rank       INTEGER,
    previous_score      DOUBLE,
    rank_change         INTEGER,
    score_change        DOUBLE,
    peer_mean           DOUBLE,
    provisional         BOOLEAN,
    note                VARCHAR
);
COMMENT ON TABLE par_scores IS 'Chỉ số CCHC: điểm, thứ hạng, xếp loại của đơn vị trong kỳ / PAR index: each unit''s score, rank and tier per period';
COMMENT ON COLUMN par_scores.period IS 'Kỳ đánh giá / Assessment period';
COMMENT ON COLUMN par_scores.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN par_scores.peer_group IS 'Nhóm so sánh (cấp đơn vị) / Peer group (the unit level)';
COMMENT ON COLUMN par_scores.methodology IS 'Tên phương pháp / Methodology name';
COMMENT ON COLUMN par_scores.methodology_version IS 'Phiên bản phương pháp / Methodology version';
COMMENT ON COLUMN par_scores.status IS 'ranked (được xếp hạng) hoặc incomplete (chưa đủ dữ liệu, không xếp hạng) / ranked, or incomplete (not ranked)';
COMMENT ON COLUMN par_scores.self_points IS 'Tổng điểm tự đánh giá (ngoài điều tra xã hội học) / Self-assessed points (survey field excluded)';
COMMENT ON COLUMN par_scores.appraised_points IS 'Tổng điểm thẩm định các tiêu chí áp dụng (ngoài điều tra xã hội học) / Appraised points of the applicable criteria (survey field excluded)';
COMMENT ON COLUMN par_scores.survey_points IS 'Điểm điều tra xã hội học / Survey points';
COMMENT ON COLUMN par_scores.bonus_points IS 'Điểm thưởng (đã áp mức trần) / Bonus points (capped)';
COMMENT ON COLUMN par_scores.penalty_points IS 'Điểm trừ, số dương (đã áp mức trần) / Penalty points, positive (capped)';
COMMENT ON COLUMN par_scores.total_points IS 'Tổng điểm = thẩm định + điều tra xã hội học + thưởng - trừ / Total = appraised + survey + bonus - penalty';
COMMENT ON COLUMN par_scores.max_points IS 'Điểm tối đa áp dụng (gồm điều tra xã hội học) / Applicable maximum (survey field included)';
COMMENT ON COLUMN par_scores.score IS 'Chỉ số (%) = tổng điểm / điểm tối đa áp dụng × 100 / Score = total / applicable maximum × 100';
COMMENT ON COLUMN par_scores.rank IS 'Vị thứ trong nhóm (1, 2, 2, 4), theo chỉ số đủ độ chính xác / Competition rank within the peer group at full precision';
COMMENT ON COLUMN par_scores.peer_count IS 'Số đơn vị được xếp hạng trong nhóm / Ranked units in the peer group';
COMMENT ON COLUMN par_scores.tier IS 'Xếp loại (Xuất sắc, Tốt, Khá, Trung bình, Yếu) / Tier';
COMMENT ON COLUMN par_scores.previous_rank IS 'Vị thứ kỳ trước cùng loại / Rank in the previous period of the same kind';
COMMENT ON COLUMN par_scores.previous_score IS 'Chỉ số kỳ trước cùng loại / Score in the previous period of the same kind';
COMMENT ON COLUMN par_scores.rank_change IS 'Số bậc tăng (+) hoặc giảm (-) / Places gained (+) or lost (-)';
COMMENT ON COLUMN par_scores.score_change IS 'Chỉ số tăng giảm so với kỳ trước; chỉ khi cùng phiên bản phương pháp / Score change since the previous period; only under the same methodology version';
COMMENT ON COLUMN par_scores.peer_mean IS 'Chỉ số bình quân của nhóm (các đơn vị được xếp hạng) / Mean score of the ranked units of the peer group';
COMMENT ON COLUMN par_scores.provisional IS 'Số liệu tạm tính (kỳ chưa chốt) / Provisional: the period is not final';
COMMENT ON COLUMN par_scores.note IS 'Lý do chưa đủ dữ liệu / Why the unit is incomplete';

CREATE TABLE methodologies (
    methodology         VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    index_kind          VARCHAR NOT NULL,
    title_vi            VARCHAR NOT NULL,
    title_en            VARCHAR
);
COMMENT ON TABLE methodologies IS 'Phương pháp tính điểm đã dùng, với tên tiếng Việt để công bố / Methodologies in use, with the Vietnamese names publications give them';
COMMENT ON COLUMN methodologies.methodology IS 'Tên phương pháp (mã) / Methodology name (code)';
COMMENT ON COLUMN methodologies.methodology_version IS 'Phiên bản / Version';
COMMENT ON COLUMN methodologies.index_kind IS 'Chỉ số: service (chỉ số phục vụ) hoặc par (chỉ số CCHC) / Index: service or par';
COMMENT ON COLUMN methodologies.title_vi IS 'Tên tiếng Việt / Vietnamese name';
COMMENT ON COLUMN methodologies.title_en IS 'Tên tiếng Anh / English name';
