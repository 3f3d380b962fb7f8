package publish

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/warehouse"
)

func TestScratch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := w.DB()
	_, err = db.Exec(`INSERT INTO index_scores (methodology, methodology_version, period, unit_code, peer_group, group_scores, na_indicators) VALUES ('d','1','p','U1','g','{"A/b":1.234,"C\"x":2}', ['x','y'])`)
	if err != nil { t.Fatal(err) }
	out := filepath.Join(dir, "o'x.parquet")
	os.WriteFile(out, []byte("junk"), 0o644)
	_, err = db.Exec(`COPY (SELECT unit_code, round(CAST(json_extract(group_scores, '/A~1b') AS DOUBLE),2) AS a, CAST(json_extract(group_scores, '/C"x') AS DOUBLE) c, CAST(to_json(coalesce(na_indicators, [])) AS VARCHAR) na FROM index_scores WHERE period = $1) TO 'o''x.parquet' (FORMAT PARQUET, COMPRESSION ZSTD)`, "p")
	t.Log("copy with param:", err)
	var s string
	var a, c float64
	err = db.QueryRow(`SELECT unit_code, a, c, na FROM read_parquet('o''x.parquet')`).Scan(&s, &a, &c, &s)
	t.Log(s, a, c, err)
	var th string
	db.QueryRow(`SELECT current_setting('threads')`).Scan(&th)
	t.Log("threads", th)
	var ts any
	db.QueryRow(`SELECT TIMESTAMP '2026-10-01 00:00:00'`).Scan(&ts)
	t.Logf("%T %v", ts, ts)
	w.Close()
	w2, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{ReadOnly: true})
	if err != nil { t.Fatal(err) }
	_, err = w2.DB().Exec(`CREATE TEMP TABLE tt AS SELECT 1`)
	t.Log("temp in ro:", err)
	_, err = w2.DB().Exec(`COPY (SELECT 1) TO '` + filepath.Join(dir, "ro.parquet") + `' (FORMAT PARQUET)`)
	t.Log("copy in ro:", err)
	w2.Close()
}
