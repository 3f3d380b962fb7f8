package transforms

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

func TestParseNumberIn(t *testing.T) {
	cases := []struct {
		in        string
		r         NumberRange
		want      float64
		ok        bool
		ambiguous bool // error expected: reads two plausible ways
		bad       bool // error expected: no plausible reading
	}{
		{"", SupplementDaysRange, 0, false, false, false},
		{"3", SupplementRequestsRange, 3, true, false, false},
		{"2,5", SupplementDaysRange, 2.5, true, false, false},
		{"1.234", SupplementDaysRange, 0, false, true, false},     // 1234 ≤ 3650 and 1,234
		{"1,234", SupplementDaysRange, 0, false, true, false},     // the same with an English comma
		{"3.651", SupplementDaysRange, 3.651, true, false, false}, // 3651 > 3650: only 3,651
		{"12.500", SupplementDaysRange, 12.5, true, false, false}, // 12500 > 3650
		{"2.000", SupplementRequestsRange, 2, true, false, false}, // 2000 > 1000; 2,000 = 2
		{"1.000", SupplementRequestsRange, 0, false, true, false}, // 1000 ≤ 1000 and 1
		{"1.234", SupplementRequestsRange, 0, false, false, true}, // 1234 > 1000; 1,234 not whole
		{"0.125", SupplementDaysRange, 0.125, true, false, false}, // leading 0: decimal only
		{"1.234,5", SupplementDaysRange, 1234.5, true, false, false},
		{"2,5", SupplementRequestsRange, 0, false, false, true}, // not whole
		{"4000", SupplementDaysRange, 0, false, false, true},
		{"-1", SupplementDaysRange, 0, false, false, true},
	}
	for _, c := range cases {
		v, ok, err := ParseNumberIn(c.in, c.r)
		var ne *NumberError
		switch {
		case c.ambiguous || c.bad:
			if !errors.As(err, &ne) || ne.Ambiguous != c.ambiguous {
				t.Errorf("%q %+v: err %v, want ambiguous=%v", c.in, c.r, err, c.ambiguous)
			}
		case err != nil || ok != c.ok || math.Abs(v-c.want) > 1e-12:
			t.Errorf("%q %+v = %v %v %v, want %v %v", c.in, c.r, v, ok, err, c.want, c.ok)
		}
	}
	if _, _, err := ParseNumberIn("abc", SupplementDaysRange); err == nil || errors.As(err, new(*NumberError)) {
		t.Errorf("abc: %v, want a syntax error", err)
	}
}

func FuzzParseNumberIn(f *testing.F) {
	for _, s := range []string{"1.234", "1,234", "12.500", "-1", "0.125", "9.999.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []NumberRange{SupplementDaysRange, SupplementRequestsRange} {
			v, ok, err := ParseNumberIn(s, r)
			if err == nil && ok && !r.plausible(v) {
				t.Fatalf("%q: %v outside %+v", s, v, r)
			}
		}
	})
}

func TestOverrides(t *testing.T) {
	o, err := ParseOverrides(map[string]string{"Số BN": "dossier_code", "người liên hệ": "drop", "Ngày nộp": "received_at"})
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Số BN", "Người liên hệ", "Ngày nộp", "Tên thủ tục"}
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Columns: o})
	if err != nil {
		t.Fatalf("with the override the dossier code column is found: %v", err)
	}
	defer m.Release()
	mp := m.Mapping()
	if mp.Columns["Số BN"] != "dossier_code" || mp.Columns["Ngày nộp"] != "received_at" || strings.Join(mp.Dropped, ",") != "Người liên hệ" {
		t.Errorf("mapping %+v", mp)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	raw := rawRecord(mem, header, [][]string{{"BN-1", "Nguyễn Văn Bình 0912345678", "16/03/2026", "Đăng ký khai sinh"}, {"BN-2", "Trần Thị C", "", ""}})
	out, errs := m.Apply(header, raw)
	if value(out, "dossier_code", 0) != "BN-1" || value(out, "received_at", 0) != "2026-03-16 00:00:00" || len(errs) != 1 {
		t.Errorf("row 2: %s %s, errs %+v", value(out, "dossier_code", 0), value(out, "received_at", 0), errs)
	}
	for c := 0; c < int(out.NumCols()); c++ {
		for i := 0; i < int(out.NumRows()); i++ {
			if v := out.Column(c).ValueStr(i); strings.Contains(v, "Nguyễn") || strings.Contains(v, "Trần") {
				t.Errorf("dropped column's value in %s: %q", out.Schema().Field(c).Name, v)
			}
		}
	}
	out.Release()
	raw.Release()
	if got, want := o.HeaderScore(header), 4; got != want {
		t.Errorf("HeaderScore = %d, want %d", got, want)
	}
	if _, err := NewMapper(header, MapOptions{Units: testUnits}); !errors.Is(err, ErrNoDossierCode) {
		t.Errorf("without the override: %v", err)
	}
	if o.Fingerprint() == Overrides(nil).Fingerprint() {
		t.Error("the fingerprint ignores overrides")
	}
	if _, err := ParseOverrides(map[string]string{"X": "dossier"}); err == nil || !strings.Contains(err.Error(), "not a canonical column") {
		t.Errorf("bad target: %v", err)
	}
}

// A file whose receipt date column has a spelling nobody knows: its rows
// are unknown_header (curable by a columns: override), and the reason names
// the unrecognised headers and the override to add.
func TestUnknownHeader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	header := []string{"STT", "Mã hồ sơ", "Ngày nộp đơn"}
	raw := rawRecord(mem, header, [][]string{{"1", "X-1", "16/03/2026"}})
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: testUnits, DefaultUnit: "S.TP", Source: "xa-a", Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	out.Release()
	if len(errs) != 1 || errs[0].Code != CodeUnknownHeader || errs[0].Column != "Ngày tiếp nhận" ||
		!strings.Contains(errs[0].Reason, `columns: của nguồn xa-a một dòng như "Ngày nộp đơn": received_at`) || errs[0].Row != 2 {
		t.Fatalf("errs = %+v", errs)
	}
}

func TestLikelyHeader(t *testing.T) {
	for _, c := range []struct {
		f        int
		unmapped []string
		want     string
	}{
		{FReceivedAt, []string{"STT", "Ngày nộp đơn"}, "Ngày nộp đơn"},
		{FReceivedAt, []string{"STT", "Ghi chú"}, "<tên cột trong tệp>"},
		{FUnitCode, []string{"STT", "Cơ quan nhận"}, "Cơ quan nhận"},
	} {
		if got := likelyHeader(c.f, c.unmapped); got != c.want {
			t.Errorf("%d %v: %q, want %q", c.f, c.unmapped, got, c.want)
		}
	}
}
