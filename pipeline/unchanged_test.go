package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// The decoded bytes are checked against the hash taken before decoding by
// their size and Sum64 (the decoder takes no second SHA-256): other bytes
// of the same size, a short read or another size fail as a file changed
// while read.
func TestCheckUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, []byte("Mã hồ sơ\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sha, sum64, err := sources.HashFileSums(path)
	if err != nil {
		t.Fatal(err)
	}
	f := &fetched{res: &warehouse.FileResult{Path: "export.csv", SHA256: sha}, path: path, size: st.Size(), mod: st.ModTime(), sum64: sum64}
	for _, c := range []struct {
		name    string
		d       sources.Digest
		changed bool
	}{
		{"the bytes hashed", sources.Digest{Sum64: sum64, Size: st.Size(), Complete: true}, false},
		{"other bytes, same size", sources.Digest{Sum64: sum64 + 1, Size: st.Size(), Complete: true}, true},
		{"another size", sources.Digest{Sum64: sum64, Size: st.Size() - 1, Complete: true}, true},
		{"not read to the end", sources.Digest{Sum64: sum64, Size: st.Size()}, true},
	} {
		err := checkUnchanged(f, c.d)
		if got := errors.Is(err, sources.ErrChanged); got != c.changed || (!c.changed && err != nil) {
			t.Errorf("%s: %v, want changed %v", c.name, err, c.changed)
		}
	}
}

// The registry's fingerprint carries the rules names resolve by: a
// warehouse loaded before names were resolved by the day of receipt
// (fingerprints of 906275b and before: the units' fields alone,
// writeUnits) has its files with unknown_unit rows read again once, since
// the new rules may place them.
func TestUnitsFingerprintCarriesRules(t *testing.T) {
	reg, err := units.Load("testdata/e2e/units.csv")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	writeUnits(h, reg)
	if UnitsFingerprint(reg) == hex.EncodeToString(h.Sum(nil)) {
		t.Error("the fingerprint is the one of the earlier rules: files quarantined under them are not read again")
	}
}
