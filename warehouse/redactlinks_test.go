package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
)

// TestRedactStoredLinks: a warehouse file written by an older cchc, whose
// Redact returned a link with a query net/url refuses whole, holds the
// token in the ledger, the rows loaded from the file, the run's message
// and the source's and file's errors. The next open redacts them once,
// as runs now name such links: the two links of one export whose session
// token changed between listings become one name; a link redacted
// already and a local path stay as they are.
func TestRedactStoredLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	const (
		sess1     = "https://dvc.example/dl?file=march;token=SECRETSESS1"
		sess2     = "https://dvc.example/dl?file=march;token=SECRETSESS2"
		broken    = "https://dvc.example/dl?file=april&token=SECRETBROKEN%zz"
		password  = "https://dvc.example/dl?file=may;password=SECRETPASS;w;rd"
		redacted  = "https://dvc.example/dl?file=june&token=REDACTED"
		local     = "/srv/exports/ba-vi/token=1.csv"
		wantSess  = "https://dvc.example/dl?file=march;token=REDACTED"
		wantBrk   = "https://dvc.example/dl?file=april&token=REDACTED"
		wantPass  = "https://dvc.example/dl?file=may;password=REDACTED"
		runMsg    = "source portal: file " + sess1 + ": máy chủ trả lời 404 Not Found. Thử lại: " + broken + "."
		wantRun   = "source portal: file " + wantSess + ": máy chủ trả lời 404 Not Found. Thử lại: " + wantBrk + "."
		statusErr = "source portal: chỉ mục https://dvc.example/index.txt?a=1;access_token=SECRETINDEX: timeout"
		wantStat  = "source portal: chỉ mục https://dvc.example/index.txt?a=1;access_token=REDACTED: timeout"
	)
	storeLinks(t, path, []string{sess1, sess2, broken, password, redacted, local}, runMsg, sess2, statusErr,
		`UPDATE source_files SET status = 'failed', error = '`+runMsg+`' WHERE path = '`+broken+`'`,
		`INSERT INTO par_sheets (period, unit_code, source, source_file, file_sha256, rows_loaded, rows_quarantined, run_id, loaded_at)
			VALUES ('2026', 'U1', 's', '`+password+`', 'p', 1, 0, 1, TIMESTAMP '2026-03-03 01:30:00')`,
		`DELETE FROM schema_migrations WHERE version = 104`)

	reopened(t, path, func(open int, query func(string) string) {
		checkRenamed(t, open, query, []string{local, wantBrk, redacted, wantSess, wantSess, wantPass}, 4, wantRun, wantStat)
		if got := query(`SELECT string_agg(DISTINCT source_file, ' ') FROM par_sheets`); got != wantPass {
			t.Errorf("open %d: par_sheets.source_file %s", open, got)
		}
		if got := query(`SELECT string_agg(DISTINCT error, ' | ') FROM source_files`); got != wantRun {
			t.Errorf("open %d: source_files.error %s", open, got)
		}
		if got := query(`SELECT count(*)::VARCHAR || ' ' || min(name) FROM schema_migrations WHERE version = 104`); got != "1 0104_redact_stored_links" {
			t.Errorf("open %d: schema_migrations %s", open, got)
		}
	})
}

// reopened opens the warehouse at path twice (the migrations run at the
// first open, and must leave it alone at the second), calls check each
// time, and fails if any table still holds "SECRET".
func reopened(t *testing.T, path string, check func(open int, query func(string) string)) {
	t.Helper()
	for open := 1; open <= 2; open++ {
		w, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		check(open, func(q string) string { return queryString(t, w.DB(), q) })
		var leaks int
		if err := w.DB().QueryRow(`SELECT (SELECT count(*) FROM source_files WHERE contains(path || coalesce(error, ''), 'SECRET'))
			+ (SELECT count(*) FROM dossiers WHERE contains(source_file, 'SECRET'))
			+ (SELECT count(*) FROM quarantine WHERE contains(source_file, 'SECRET'))
			+ (SELECT count(*) FROM runs WHERE contains(message, 'SECRET'))
			+ (SELECT count(*) FROM source_status WHERE contains(last_error, 'SECRET'))`).Scan(&leaks); err != nil || leaks != 0 {
			t.Errorf("open %d: %d rows still hold a secret (%v)", open, leaks, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// checkRenamed checks what a stored-links migration left, at open: the
// ledger's paths (paths, in path order), the files of the loaded and the
// quarantined rows (paths with paths[merged], which names the same file as
// the link before it once renamed, left out), the runs' message and the
// source's last error.
func checkRenamed(t *testing.T, open int, query func(string) string, paths []string, merged int, wantRun, wantStat string) {
	t.Helper()
	if got, want := query(`SELECT string_agg(path, ' ' ORDER BY path) FROM source_files`), strings.Join(paths, " "); got != want {
		t.Errorf("open %d: source_files.path\n%s, want\n%s", open, got, want)
	}
	files := strings.Join(slices.Delete(slices.Clone(paths), merged, merged+1), " ")
	for _, table := range []string{"dossiers", "quarantine"} {
		if got := query(`SELECT string_agg(DISTINCT source_file, ' ' ORDER BY source_file) FROM ` + table); got != files {
			t.Errorf("open %d: %s.source_file %s, want %s", open, table, got, files)
		}
	}
	if got := query(`SELECT string_agg(DISTINCT message, ' | ') FROM runs`); got != wantRun {
		t.Errorf("open %d: runs.message %s", open, got)
	}
	if got := query(`SELECT last_error FROM source_status`); got != wantStat {
		t.Errorf("open %d: source_status.last_error %s", open, got)
	}
}

// storeLinks writes a warehouse at path as an older cchc did, through the
// ledger: one run per link of paths, each loading two rows (one
// quarantined) from that file and ending with the message runMsg; the
// run of statusAt records statusErr as its source's error. The queries
// then change what the ledger cannot write.
func storeLinks(t *testing.T, path string, paths []string, runMsg, statusAt, statusErr string, queries ...string) {
	t.Helper()
	ctx := context.Background()
	w, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 3, 1, 30, 0, 0, time.UTC)
	for i, p := range paths {
		r := &Run{Trigger: "schedule", StartedAt: at}
		if err := w.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		st, err := w.NewStage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sha := fmt.Sprintf("sha%d", i)
		rec := stageFile(t, 1, p, sha, at, []string{fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i)}, []string{"", "bad date"})
		rdr, _ := array.NewRecordReader(transforms.StageSchema, []arrow.Record{rec})
		if err := st.LoadDataset(ctx, datasets.Dossiers, rdr); err != nil {
			t.Fatal(err)
		}
		rdr.Release()
		rec.Release()
		f := &FileResult{Seq: 1, Source: "s", Path: p, SHA256: sha, Status: "loaded", RowsRead: 2}
		in := CommitInput{RunID: r.ID, LoadedAt: at, Units: []units.Unit{{Code: "U1", Name: "Đơn vị 1", Level: "commune"}}, Files: []*FileResult{f}}
		if p == statusAt {
			in.Sources = []SourceStatus{{Source: "portal", Error: statusErr}}
		}
		if err := st.Commit(ctx, in); err != nil {
			t.Fatal(err)
		}
		st.Close()
		r.Status, r.Message = RunPartial, runMsg
		if err := w.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range queries {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRedactStoredLinks0105: links an older Redact left whole because it
// did not read their credential (a name glued into one word, a parameter
// after ';' in the path, a link in a value) or digested it (an AWS access
// key) are named once by 0105 as runs name them now; links with none stay
// as they were.
func TestRedactStoredLinks0105(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	const (
		acc1      = "https://dvc.example/dl?accesstoken=SECRETACC1&file=march"
		acc2      = "https://dvc.example/dl?accesstoken=SECRETACC2&file=march"
		jsession  = "https://dvc.example/april.csv;jsessionid=SECRETJSESSION?m=1"
		nested    = "https://dvc.example/dl?file=may&next=https://sso.example/cb?ticket=SECRETTICKET"
		plain     = "https://dvc.example/dl?page=2&author=bavi&next=https://dvc.example/dl?file=june"
		aws       = "https://s3.example/b/x.csv?AWSAccessKeyId=REDACTED-0123456789ab&Expires=1&Signature=REDACTED"
		wantAWS   = "https://s3.example/b/x.csv?AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED"
		local     = "/srv/exports/ba-vi/token=1.csv"
		wantAcc   = "https://dvc.example/dl?accesstoken=REDACTED&file=march"
		wantJsess = "https://dvc.example/april.csv;jsessionid=REDACTED?m=1"
		wantNest  = "https://dvc.example/dl?file=may&next=https%3A%2F%2Fsso.example%2Fcb%3Fticket%3DREDACTED"
		runMsg    = "source portal: tải https://dvc.example/x?f=1,https://dvc.example/y?wstoken=SECRETMSG: 404."
		wantRun   = "source portal: tải https://dvc.example/x?f=1,https://dvc.example/y?wstoken=REDACTED: 404."
		statusErr = "source portal: chỉ mục https://dvc.example/index.txt;JSESSIONID=SECRETINDEX: timeout"
		wantStat  = "source portal: chỉ mục https://dvc.example/index.txt;JSESSIONID=REDACTED: timeout"
	)
	storeLinks(t, path, []string{acc1, acc2, jsession, nested, plain, aws, local}, runMsg, acc2, statusErr,
		`DELETE FROM schema_migrations WHERE version = 105`)

	reopened(t, path, func(open int, query func(string) string) {
		checkRenamed(t, open, query, []string{local, wantJsess, wantAcc, wantAcc, wantNest, plain, wantAWS}, 3, wantRun, wantStat)
		if got := query(`SELECT string_agg(name, ' ' ORDER BY version) FROM schema_migrations WHERE version IN (104, 105)`); got != "0104_redact_stored_links 0105_redact_stored_links" {
			t.Errorf("open %d: schema_migrations %s", open, got)
		}
	})
}

// TestRedactStoredLinks0106: links an older Redact left whole because it
// did not read their credential (name=value in a path segment, a
// relative link, a name escaped twice, otp, mã xác thực, an OAuth code
// with its state) are named once by 0106 as runs name them now, also in
// messages that quote them with no "//"; links and local paths with none
// stay as they were, and a link an older version over-redacted keeps its
// name (no migration can bring a value back).
func TestRedactStoredLinks0106(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	const (
		seg1      = "https://dvc.example/dl/token=SECRETSEG1/march.csv"
		seg2      = "https://dvc.example/dl/token=SECRETSEG2/march.csv"
		twice     = "https://dvc.example/dl?%2574oken=SECRETTWICE&file=april"
		otp       = "https://dvc.example/dl?file=may&ma_xac_thuc=SECRETMXT&otp=SECRETOTP"
		oauth     = "https://dvc.example/cb?code=SECRETCODE&file=june&state=SECRETSTATE"
		nested    = "https://dvc.example/dl?file=july&next=x.csv%3Fsig%3DSECRETREL"
		unitCode  = "https://dvc.example/dl?code=H56&file=august"
		over      = "https://dvc.example/dl?file=sept&token_type=REDACTED"
		local     = "/srv/exports/year=2024/x?token=SECRETLOCAL.csv"
		plain     = "/srv/exports/ba-vi/token=1.csv"
		wantSeg   = "https://dvc.example/dl/token=REDACTED/march.csv"
		wantTwice = "https://dvc.example/dl?%2574oken=REDACTED&file=april"
		wantOTP   = "https://dvc.example/dl?file=may&ma_xac_thuc=REDACTED&otp=REDACTED"
		wantOAuth = "https://dvc.example/cb?code=REDACTED&file=june&state=REDACTED"
		wantNest  = "https://dvc.example/dl?file=july&next=x.csv%3Fsig%3DREDACTED"
		wantLocal = "/srv/exports/year=2024/x?token=REDACTED"
		runMsg    = "source portal: chỉ mục liệt kê exports/x.csv?token=SECRETMSG: 404; tham số matkhau=SECRETMSG2 sai; tải x.csv?sig=ab//SECRETSL lỗi; mật khẩu=SECRETVN sai"
		wantRun   = "source portal: chỉ mục liệt kê exports/x.csv?token=REDACTED: 404; tham số matkhau=REDACTED sai; tải x.csv?sig=REDACTED lỗi; mật khẩu=REDACTED sai"
		statusErr = "source portal: chỉ mục https://dvc.example/idx/access_token=SECRETINDEX/index.txt: timeout (năm=2024)"
		wantStat  = "source portal: chỉ mục https://dvc.example/idx/access_token=REDACTED/index.txt: timeout (năm=2024)"
	)
	storeLinks(t, path, []string{seg1, seg2, twice, otp, oauth, nested, unitCode, over, local, plain}, runMsg, seg2, statusErr,
		`DELETE FROM schema_migrations WHERE version = 106`)

	reopened(t, path, func(open int, query func(string) string) {
		checkRenamed(t, open, query, []string{plain, wantLocal, wantOAuth, wantSeg, wantSeg, wantTwice, unitCode, wantNest, wantOTP, over}, 4, wantRun, wantStat)
		if got := query(`SELECT string_agg(name, ' ' ORDER BY version) FROM schema_migrations WHERE version BETWEEN 104 AND 106`); got != "0104_redact_stored_links 0105_redact_stored_links 0106_redact_stored_links" {
			t.Errorf("open %d: schema_migrations %s", open, got)
		}
	})
}

// Two migrations of one version would each be recorded as applied by the
// other's row: Open refuses them.
func TestMigrationVersionTaken(t *testing.T) {
	saved := goMigrations
	t.Cleanup(func() { goMigrations = saved })
	goMigrations = append(goMigrations, goMigration{103, "0103_again", nil})
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"), Options{})
	if err == nil || !strings.Contains(err.Error(), "0103_again: version 0103 is taken by 0103_run_unpublished.sql") {
		t.Errorf("err = %v", err)
	}
}

// queryString reads a query's one string.
func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatal(q, err)
	}
	return s
}
