package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestCopiesSkippedAndHashTakenWhileDecoding (issue 11): a file of a size
// no loaded version has is hashed while it is decoded, not before. A copy
// of loaded content under a new name still has a loaded version's size,
// so it is hashed first and skipped as before; a new file of another
// size is loaded with the hash of its bytes recorded on the ledger and on
// every dossier it loads.
func TestCopiesSkippedAndHashTakenWhileDecoding(t *testing.T) {
	ctx := context.Background()
	cfg, reg, w, dir := fixture(t, goodSources)
	if _, err := Run(ctx, cfg, w, reg, Options{NoPublish: true}); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(dir, "exports", "a")
	body, err := os.ReadFile(filepath.Join(a, "02-april.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a, "03-copy.csv"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 0 {
		t.Fatalf("the copy was loaded again: %+v", sum.Files[0])
	}
	grown := append(append([]byte(nil), body...), "H41.01-260420-0099;H.BAVI;Cấp giấy phép xây dựng;Xây dựng;2;20/04/2026 08:00;04/05/2026 17:00;;Đang xử lý\n"...)
	if err := os.WriteFile(filepath.Join(a, "04-grown.csv"), grown, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err = Run(ctx, cfg, w, reg, Options{NoPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 1 || sum.Files[0].Status != "loaded" {
		t.Fatalf("files %+v; want 04-grown.csv loaded", sum.Files)
	}
	h := sha256.Sum256(grown)
	want := hex.EncodeToString(h[:])
	if got := sum.Files[0].SHA256; got != want {
		t.Errorf("recorded hash %s, want %s", got, want)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM dossiers WHERE source_file LIKE '%04-grown.csv' AND file_sha256 <> '`+want+`'`); n != 0 {
		t.Errorf("%d dossiers of 04-grown.csv carry another hash", n)
	}
	if n := scalar[int64](t, w, `SELECT count(*) FROM source_files WHERE path LIKE '%04-grown.csv' AND file_sha256 = '`+want+`' AND status = 'loaded'`); n != 1 {
		t.Errorf("%d ledger rows of 04-grown.csv with its hash, want 1", n)
	}
}
