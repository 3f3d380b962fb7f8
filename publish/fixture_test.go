package publish

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/warehouse"
)

// The fixture: period 2026-Q3 (and 2026-Q2 before it) with
//   - district: three units, a tie for rank 2, one unit new, one stale
//     (data until 15/08/2026) with an N/A indicator, one unit whose name
//     changed during 2026 and one whose name needs HTML escaping;
//   - department: two units, scored by "default" and by "pilot";
//   - dossier_stats for departments, districts and a commune, with fields
//     whose Vietnamese order differs from byte order, and one unit without
//     its total row.
//
// Previous ranks are ranks in 2026-Q2 restated on 2026-Q3's units (H.OLD,
// ranked in 2026-Q2 only, is not among them): H.BAVI 2nd of 2.
var fixtureSQL = []string{
	`INSERT INTO units (unit_code, name, level, valid_from, valid_to) VALUES
		('S.TC', 'Sở Tài chính', 'department', NULL, NULL),
		('S.YT', 'Sở Y tế', 'department', NULL, NULL),
		('H.BAVI', 'Huyện Ba Vì (cũ)', 'district', NULL, DATE '2025-12-31'),
		('H.BAVI', 'Huyện Ba Vì', 'district', DATE '2026-01-01', NULL),
		('H.SONTAY', 'Thị xã Sơn Tây', 'district', NULL, NULL),
		('H.AB', 'Huyện A & B <Thử>', 'district', NULL, NULL),
		('X.TAYDANG', 'Thị trấn Tây Đằng', 'commune', NULL, NULL)`,
	`INSERT INTO periods VALUES
		('2026-Q2', 'quarter', 'calendar', TIMESTAMP '2026-04-01', TIMESTAMP '2026-07-01', '2026-Q1', false),
		('2026-Q3', 'quarter', 'calendar', TIMESTAMP '2026-07-01', TIMESTAMP '2026-10-01', '2026-Q2', false)`,
	// Inserted out of order: publications follow position.
	`INSERT INTO index_groups VALUES
		('default', '1.0', 'MDSH', 6, 'Số hóa hồ sơ', 'Digitisation', 22),
		('default', '1.0', 'CKMB', 1, 'Công khai, minh bạch', 'Transparency', 18),
		('default', '1.0', 'TTTT', 4, 'Thanh toán trực tuyến', 'Online payment', 10),
		('default', '1.0', 'TDGQ', 2, 'Tiến độ giải quyết', 'Progress', 20),
		('default', '1.0', 'MDHL', 5, 'Mức độ hài lòng', 'Satisfaction', 18),
		('default', '1.0', 'CLGQ', 3, 'Dịch vụ công trực tuyến', 'Online service', 12),
		('default', '0.9', 'OLD', 1, 'Nhóm cũ', 'Old group', 100),
		('pilot', '0.1', 'B', 2, 'Nhóm B', 'Group B', 40),
		('pilot', '0.1', 'A', 1, 'Nhóm A', 'Group A', 60)`,
	`INSERT INTO indicator_values VALUES
		('default', '1.0', '2026-Q3', 'H.BAVI', 'CKMB', 'sync', 90, 100, 0.9, 1.0, 16.2, 18),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'TDGQ', 'on_time', 95, 100, 0.95, 1.0, 19, 20),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'CLGQ', 'online', 60, 100, 0.6, 0.5, 12, 12),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'TTTT', 'paid_online', 40, 50, 0.8, 0.8, 10, 10),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'MDHL', 'satisfaction', 87, 100, 0.87, 0.9, 17.4, 18),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'MDSH', 'reused_data', 50, 100, 0.5, 0.8, 4.375, 7),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'MDSH', 'digitized_dossier', 70, 100, 0.7, 0.8, 7, 8),
		('default', '1.0', '2026-Q3', 'H.BAVI', 'MDSH', 'digitized_result', 60, 80, 0.75, 0.8, 6.5625, 7),
		('default', '1.0', '2026-Q3', 'H.SONTAY', 'TTTT', 'paid_online', 0, 0, NULL, 0.8, NULL, 10)`,
	`INSERT INTO index_scores VALUES
		('default', '1.0', '2026-Q3', 'H.BAVI', 'district',
		 '{"CKMB":17.254,"TDGQ":19.5,"CLGQ":12,"TTTT":10,"MDHL":15.678,"MDSH":17.0}',
		 [], 91.4321, 1, 3, 'Xuất sắc', 2, 88.6771, 1, 2.755, TIMESTAMP '2026-09-30 16:45:00', false),
		('default', '1.0', '2026-Q3', 'H.SONTAY', 'district',
		 '{"MDSH":15,"CKMB":18,"TDGQ":20,"CLGQ":10,"TTTT":10,"MDHL":12.5}',
		 ['paid_online'], 85.5, 2, 3, 'Tốt', 1, 86.0, -1, -0.5, TIMESTAMP '2026-08-15 10:00:00', false),
		('default', '1.0', '2026-Q3', 'H.AB', 'district',
		 '{"CKMB":16,"TDGQ":18,"CLGQ":11.5,"TTTT":9,"MDHL":15,"MDSH":16}',
		 NULL, 85.5, 2, 3, 'Tốt', NULL, NULL, NULL, NULL, TIMESTAMP '2026-09-28 08:00:00', false),
		('default', '1.0', '2026-Q3', 'S.TC', 'department',
		 '{"CKMB":15,"TDGQ":16,"CLGQ":9,"TTTT":8,"MDHL":14.2,"MDSH":16}',
		 [], 78.2, 1, 2, 'Khá', 1, 78.196, 0, 0.004, TIMESTAMP '2026-09-30 09:00:00', false),
		('default', '1.0', '2026-Q3', 'S.YT', 'department',
		 '{"CKMB":9,"TDGQ":10,"CLGQ":5,"TTTT":4,"MDHL":9,"MDSH":8}',
		 [], 45, 2, 2, 'Yếu', 2, 48.1, 0, -3.1, TIMESTAMP '2026-09-29 09:00:00', false),
		('pilot', '0.1', '2026-Q3', 'S.TC', 'department', '{"A":40,"B":20}',
		 [], 60, 2, 2, 'Trung bình', NULL, NULL, NULL, NULL, TIMESTAMP '2026-09-30 09:00:00', false),
		('pilot', '0.1', '2026-Q3', 'S.YT', 'department', '{"B":30,"A":40}',
		 [], 70, 1, 2, 'Khá', NULL, NULL, NULL, NULL, TIMESTAMP '2026-09-29 09:00:00', false),
		('default', '0.9', '2026-Q2', 'H.BAVI', 'district', '{"OLD":88.6771}', [], 88.6771, 3, 3, 'Tốt', NULL, NULL, NULL, NULL, NULL, false),
		('default', '0.9', '2026-Q2', 'H.SONTAY', 'district', '{"OLD":86}', [], 86, 1, 3, 'Tốt', NULL, NULL, NULL, NULL, NULL, false),
		('default', '0.9', '2026-Q2', 'H.OLD', 'district', '{"OLD":87}', [], 87, 2, 3, 'Tốt', NULL, NULL, NULL, NULL, NULL, false),
		('default', '0.9', '2026-Q2', 'S.TC', 'department', '{"OLD":78.196}', [], 78.196, 1, 2, 'Khá', NULL, NULL, NULL, NULL, NULL, false),
		('default', '0.9', '2026-Q2', 'S.YT', 'department', '{"OLD":48.1}', [], 48.1, 2, 2, 'Yếu', NULL, NULL, NULL, NULL, NULL, false)`,
	`INSERT INTO runs (run_id, started_at, finished_at, status, trigger, committed_at, modelled) VALUES
		(6, TIMESTAMP '2026-10-01 01:30:00', TIMESTAMP '2026-10-01 01:34:00', 'succeeded', 'schedule', TIMESTAMP '2026-10-01 01:33:00', true),
		(7, TIMESTAMP '2026-10-02 01:30:00', TIMESTAMP '2026-10-02 01:35:10', 'succeeded', 'schedule', TIMESTAMP '2026-10-02 01:35:00', true),
		(8, TIMESTAMP '2026-10-03 01:30:00', TIMESTAMP '2026-10-03 01:30:05', 'succeeded', 'schedule', TIMESTAMP '2026-10-03 01:30:04', false),
		(9, TIMESTAMP '2026-10-04 01:30:00', NULL, 'running', 'schedule', NULL, NULL)`,
}

// stat is one dossier_stats row obeying the form's identities.
type stat struct {
	unit, field                                    string
	online, direct, carried, early, onTime, late   int
	inTime, withdrawn, rejected, supplementWaiting int
	overdue                                        int
}

var fixtureStats = []stat{
	{"S.TC", "*", 120, 30, 10, 60, 50, 5, 40, 2, 3, 4, 5},
	{"S.TC", "Xây dựng", 20, 10, 0, 10, 10, 2, 7, 0, 1, 1, 1},
	{"S.TC", "Đất đai", 60, 10, 5, 30, 25, 1, 17, 1, 1, 2, 2},
	{"S.TC", "Giáo dục", 40, 10, 5, 20, 15, 2, 16, 1, 1, 1, 2},
	{"S.YT", "*", 1500, 200, 50, 900, 500, 100, 200, 5, 10, 20, 50},
	{"H.BAVI", "*", 300, 100, 20, 200, 150, 10, 50, 3, 4, 6, 10},
	{"H.BAVI", "Tư pháp", 300, 100, 20, 200, 150, 10, 50, 3, 4, 6, 10},
	{"H.SONTAY", "Đất đai", 10, 5, 0, 5, 5, 1, 4, 0, 0, 1, 0},
	{"H.SONTAY", "Chứng thực", 20, 5, 0, 10, 10, 0, 5, 0, 0, 0, 0},
	{"X.TAYDANG", "*", 50, 50, 0, 40, 40, 5, 10, 1, 1, 2, 5},
	{"S.TC", "*", 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0}, // another period, below
}

// newFixture opens a warehouse in a temporary folder, fills it and returns
// its handle.
func newFixture(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "cchc.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	db := w.DB()
	for _, q := range fixtureSQL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	for i, s := range fixtureStats {
		period := "2026-Q3"
		if i == len(fixtureStats)-1 {
			period = "2026-Q2"
		}
		received := s.online + s.direct + s.carried
		resolved := s.early + s.onTime + s.late
		pending := s.inTime + s.overdue
		if received != resolved+pending {
			t.Fatalf("fixture stat %d: received %d != resolved %d + pending %d", i, received, resolved, pending)
		}
		_, err := db.ExecContext(ctx, `INSERT INTO dossier_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			period, s.unit, s.field, received, s.online, s.direct, s.carried,
			resolved, s.early, s.onTime, s.late, pending, s.inTime, s.overdue,
			s.withdrawn, s.rejected, 0, s.supplementWaiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// loadPeriod reads the periods row; a period that is not there is an error.
func loadPeriod(ctx context.Context, db *sql.DB, period string) (periodInfo, error) {
	found, err := loadPeriods(ctx, db, []string{period})
	if err != nil {
		return periodInfo{}, err
	}
	return pickPeriod(found, period)
}

// loadPublication reads what one period's publication needs into pub, as
// publishPeriod does for a batch of that period alone.
func loadPublication(ctx context.Context, db *sql.DB, pub *publication, opts Options, formats map[string]bool) error {
	b, err := loadBatch(ctx, db, []string{pub.Period.Period}, opts, formats)
	if err != nil {
		return err
	}
	return b.fill(pub, opts)
}
