package sources

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A rowspan stops at the end of its row group (thead, tbody, tfoot), as
// browsers lay the page out: a header cell spanning into the body does
// not shift the data, and its merged range is cut alike.
func TestHTMLRowGroups(t *testing.T) {
	cases := []struct {
		name, text string
		header     []string
		rows       []row
		merged     []string
	}{
		{name: "rowspan crossing from thead into tbody",
			text: `<table><thead><tr><th rowspan=2>Mã hồ sơ</th><th>Trạng thái</th></tr></thead>
<tbody><tr><td>H1</td><td>Mới</td></tr><tr><td>H2</td><td>Xong</td></tr></tbody></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"},
			rows:   []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Xong"}}},
			merged: nil},
		{name: "rowspan crossing from one tbody into the next, unclosed",
			text: `<table><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr>
<tbody><tr><td>H1</td><td>Mới</td></tr><tr><td>H2</td><td rowspan=5>Xong</td></tr>
<tbody><tr><td>H3</td><td>Hủy</td></tr></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"},
			rows:   []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Xong"}}, {4, []string{"H3", "Hủy"}}},
			merged: nil},
		{name: "rowspan inside a tbody is kept",
			text: `<table><thead><tr><th>Mã hồ sơ</th><th>Trạng thái</th></tr></thead>
<tbody><tr><td>H1</td><td rowspan=2>Mới</td></tr><tr><td>H2</td></tr></tbody></table>`,
			header: []string{"Mã hồ sơ", "Trạng thái"},
			rows:   []row{{2, []string{"H1", "Mới"}}, {3, []string{"H2", "Mới"}}},
			merged: []string{"B2:B3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "groups.xls")
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := decodeFile(t, p, DecodeOptions{HeaderScore: testScore})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.header, c.header) || !equalRows(got.rows, c.rows) {
				t.Errorf("header %q rows %v, want %q %v", got.header, got.rows, c.header, c.rows)
			}
			if !slices.Equal(got.merged, c.merged) {
				t.Errorf("merged %q, want %q", got.merged, c.merged)
			}
		})
	}
}
