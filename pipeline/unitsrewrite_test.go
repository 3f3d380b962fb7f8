package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run whose registry equals the units table leaves the table alone (the
// usual nightly): its rows keep their rowids, which DuckDB renews for
// reinserted rows. A registry that changed, by a unit more or less or by
// a field, is still written, and the table holds it.
func TestReplaceUnitsUnchanged(t *testing.T) {
	const newFile = "X.NEW,UBND xã Mới,commune,H.BAVI,,,,\n"
	for _, c := range []struct {
		name    string
		edit    func(string) string
		rewrite bool
		units   string // the table after the second run: code=name[aliases]
	}{
		{"same registry", func(s string) string { return s }, false,
			"H.BAVI=UBND huyện Ba Vì[Ba Vì]; S.TP=Sở Tư pháp; X.TANLINH=UBND xã Tản Lĩnh[Tản Lĩnh]"},
		{"a unit added", func(s string) string { return s + newFile }, true,
			"H.BAVI=UBND huyện Ba Vì[Ba Vì]; S.TP=Sở Tư pháp; X.NEW=UBND xã Mới; X.TANLINH=UBND xã Tản Lĩnh[Tản Lĩnh]"},
		{"a unit removed", func(s string) string { return strings.Replace(s, "S.TP,Sở Tư pháp,department,,,,,\n", "", 1) }, true,
			"H.BAVI=UBND huyện Ba Vì[Ba Vì]; X.TANLINH=UBND xã Tản Lĩnh[Tản Lĩnh]"},
		{"a name changed", func(s string) string {
			return strings.Replace(s, "UBND xã Tản Lĩnh", "UBND xã Tản Lĩnh (mới)", 1)
		}, true,
			"H.BAVI=UBND huyện Ba Vì[Ba Vì]; S.TP=Sở Tư pháp; X.TANLINH=UBND xã Tản Lĩnh (mới)[Tản Lĩnh]"},
		{"an alias changed", func(s string) string { return strings.Replace(s, ",Tản Lĩnh\n", ",Tản Lĩnh cũ\n", 1) }, true,
			"H.BAVI=UBND huyện Ba Vì[Ba Vì]; S.TP=Sở Tư pháp; X.TANLINH=UBND xã Tản Lĩnh[Tản Lĩnh cũ]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			cfg, reg, w, dir := fixture(t, goodSources)
			if _, err := Run(ctx, cfg, w, reg, Options{}); err != nil {
				t.Fatal(err)
			}
			rowids := func() string {
				return scalar[string](t, w, `SELECT CAST(list(rowid ORDER BY rowid) AS VARCHAR) FROM units`)
			}
			before := rowids()
			path := filepath.Join(dir, "units.csv")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := c.edit(string(b))
			if c.rewrite && edited == string(b) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, reg = loadProject(t, dir)
			if _, err := Run(ctx, cfg, w, reg, Options{}); err != nil {
				t.Fatal(err)
			}
			after := rowids()
			if rewritten := after != before; rewritten != c.rewrite {
				t.Errorf("units' rowids %s, then %s: rewritten %v, want %v", before, after, rewritten, c.rewrite)
			}
			if got := scalar[string](t, w, `SELECT string_agg(unit_code || '=' || name || coalesce(CAST(aliases AS VARCHAR), ''), '; ' ORDER BY unit_code) FROM units`); got != c.units {
				t.Errorf("units %s, want %s", got, c.units)
			}
		})
	}
}
