package units

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const registry = "\ufeffunit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
	"H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì|Bộ phận một cửa huyện Ba Vì\n" +
	"X.TANLINH,UBND xã Tản Lĩnh,commune,H.BAVI,2020-01-01,,,Tản Lĩnh\n" +
	"S.TP,Sở Tư pháp,department,,,,,STP\n"

func TestResolve(t *testing.T) {
	reg, err := Parse(strings.NewReader(registry))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"H.BAVI", "H.BAVI", true},
		{"h.bavi", "H.BAVI", true},
		{"UBND huyện Ba Vì", "H.BAVI", true},
		{"UBND HUYEN BA VI", "H.BAVI", true},
		{"ubnd  huyện  ba vì", "H.BAVI", true},
		{"Ba Vi", "H.BAVI", true},
		{"Bộ phận một cửa huyện Ba Vì", "H.BAVI", true},
		{"UBND xã Tản Lĩnh", "X.TANLINH", true},
		{"Tan Linh", "X.TANLINH", true},
		{"Sở Tư Pháp", "S.TP", true},
		{"so tu phap", "S.TP", true},
		{"stp", "S.TP", true},
		{"UBND huyện Thạch Thất", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := reg.Resolve(c.raw)
		if got != c.want || ok != c.ok {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", c.raw, got, ok, c.want, c.ok)
		}
	}
	if reg.Units[1].ValidFrom == nil || reg.Units[1].ValidFrom.Format("2006-01-02") != "2020-01-01" {
		t.Errorf("valid_from not parsed: %+v", reg.Units[1])
	}
	if got := strings.Join(reg.Units[0].Aliases, "|"); got != "Ba Vì|Bộ phận một cửa huyện Ba Vì" {
		t.Errorf("aliases = %q", got)
	}
}

// An alias shared by two units must not silently pick one of them.
func TestAmbiguousAlias(t *testing.T) {
	// Valid on different days (else the registry is refused, see
	// TestParseErrors); Resolve does not look at dates.
	reg, err := Parse(strings.NewReader("unit_code,name,level,valid_from,valid_to,aliases\nA,Xã An Bình,commune,,2025-07-01,An Bình\nB,Phường An Bình,commune,2025-07-01,,An Bình\n"))
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := reg.Resolve("An Bình"); ok {
		t.Errorf("ambiguous alias resolved to %s", code)
	}
	if code, _ := reg.Resolve("Xã An Bình"); code != "A" {
		t.Errorf("name should still resolve, got %q", code)
	}
}

// A name two units of different times share (the old xã Hạ Bằng, dissolved
// on 2025-07-01, and the new one formed that day) is ambiguous for
// Resolve, and ResolveAt picks the one standing at the period's end.
func TestResolveAt(t *testing.T) {
	reg, err := Parse(strings.NewReader("unit_code,name,level,valid_from,valid_to,successor_code,aliases\n" +
		"X.HB,UBND xã Hạ Bằng,commune,,2025-07-01,XA.HB,Hạ Bằng\n" +
		"XA.HB,UBND xã Hạ Bằng,commune,2025-07-01,,,Hạ Bằng\n" +
		"X.C,UBND xã C,commune,,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		raw, end, want string
	}{
		{"UBND xã Hạ Bằng", "2025-01-01", "X.HB"},  // 2024: the old commune
		{"UBND xa Ha Bang", "2026-01-01", "XA.HB"}, // 2025: the new one
		{"Hạ Bằng", "2025-07-01", "X.HB"},          // a period ending 30 June: the old one still stands
		{"Hạ Bằng", "2025-07-02", "XA.HB"},         // one ending 1 July: the new one
		{"UBND xã C", "2026-01-01", "X.C"},         // unambiguous: as Resolve
		{"X.HB", "2026-01-01", "X.HB"},             // a code is a code, dissolved or not
		{"UBND xã D", "2026-01-01", ""},
		{"", "2026-01-01", ""},
	} {
		got, ok := reg.ResolveAt(c.raw, day(c.end))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ResolveAt(%q, %s) = %q, %v; want %q", c.raw, c.end, got, ok, c.want)
		}
	}
	if code, ok := reg.Resolve("UBND xã Hạ Bằng"); ok {
		t.Errorf("Resolve picked %s for an ambiguous name", code)
	}
}

const hist = "unit_code,name,level,valid_from,valid_to,successor_code\n"

// Each kind of registry error is in Vietnamese and names the place a
// person fixes it at: the line and column, or the unit code.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, csv string
		want      []string // all in the message
	}{
		{"empty file", "", []string{"dòng 1: không đọc được dòng tiêu đề", "unit_code,name,level", "(cannot read header: EOF)"}},
		{"missing column", "unit_code,name\nA,B\n", []string{"dòng 1: thiếu cột level", `(missing column "level")`}},
		{"bad quote", "unit_code,name,level\nA,B,commune\nC,\"D\"x,commune\n", []string{"dòng 3: không đọc được dòng CSV", "ngoặc kép", "parse error on line 3"}},
		{"no code", "unit_code,name,level\n,B,commune\n", []string{"dòng 2: cột unit_code: bắt buộc", "(required)"}},
		{"no name", "unit_code,name,level\nA,,commune\n", []string{"dòng 2: cột name: bắt buộc", "(required)"}},
		{"bad level", "unit_code,name,level\nA,B,province\n", []string{"dòng 2: cột level: phải là một trong department, district, commune", `nhận được "province"`}},
		{"bad date", "unit_code,name,level,valid_from\nA,B,commune,01/01/2020\n", []string{"dòng 2: cột valid_from: ngày phải viết dạng YYYY-MM-DD", `"01/01/2020"`}},
		{"duplicate", "unit_code,name,level\nA,B,commune\nA,C,commune\n", []string{`dòng 3: cột unit_code: mã đơn vị "A" đã có ở dòng 2`, "(duplicate unit code)"}},
		{"unknown parent", "unit_code,name,level,parent_code\nA,B,commune,Z\n", []string{`đơn vị A: parent_code "Z" không có trong danh mục`, "(not in the registry)"}},
		{"empty", "unit_code,name,level\n", []string{"không có đơn vị nào", "(no units)"}},
		// "Xã An" in cp1258 (ã is 0xE3): stored as UTF-8 it would be garbled.
		{"not utf-8", "unit_code,name,level\nA,X\xe3 An,commune\n", []string{"dòng 2: cột name: tệp không phải UTF-8", "CSV UTF-8", "(not UTF-8 text)"}},
		// Unit history (docs/contract.md): chains end, validity is an interval,
		// no two units valid on one day share a name or an alias.
		{"successor loop", hist + "A,Xã A,commune,,2025-07-01,B\nB,Xã B,commune,,2025-08-01,C\nC,Xã C,commune,,2025-09-01,A\n", []string{"đơn vị A: chuỗi successor_code quay vòng: A → B → C → A", "(successor_code chain loops)"}},
		{"self successor", hist + "A,Xã A,commune,,2025-07-01,A\n", []string{"đơn vị A: chuỗi successor_code quay vòng: A → A"}},
		{"missing successor", hist + "A,Xã A,commune,,2025-07-01,Z\n", []string{`đơn vị A: successor_code "Z" không có trong danh mục`, "(not in the registry)"}},
		{"valid_to before valid_from", hist + "A,Xã A,commune,2025-07-01,2025-06-30,\n", []string{"đơn vị A: valid_to 2025-06-30 trước valid_from 2025-07-01", "(valid_to precedes valid_from)"}},
		{"same name same day", hist + "A,Xã An Bình,commune,,2025-07-02,\nB,Xa An Binh,commune,2025-07-01,,\n", []string{"đơn vị A (tên Xã An Bình) và B (tên Xa An Binh) cùng có hiệu lực trong một ngày", "(units are valid on the same day with the same name or alias)"}},
		// valid_to is the first day A no longer exists: N formed on 1 March
		// leaves 20–28 February with no unit for A's dossiers.
		{"successor not yet formed", hist + "A,Xã A,commune,,2026-02-20,N\nN,Xã N,commune,2026-03-01,,\n",
			[]string{"đơn vị A: đơn vị kế thừa (successor_code) N có valid_from 2026-03-01 sau valid_to 2026-02-20 của A: từ 2026-02-20 đến 2026-02-28"}},
		{"successor a day late", hist + "A,Xã A,commune,,2026-03-01,N\nN,Xã N,commune,2026-03-02,,\n",
			[]string{"sửa valid_to của A thành 2026-03-02"}},
		{"same alias same day", "unit_code,name,level,valid_from,valid_to,aliases\nA,Xã A,commune,,,Chợ\nB,Xã B,commune,2025-07-01,,chợ\n", []string{"đơn vị A (tên gọi khác Chợ) và B (tên gọi khác chợ)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.csv))
			if err == nil {
				t.Fatalf("no error; want one containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want an error containing %q", err, w)
				}
			}
		})
	}
}

// Load puts the file's path first, in Vietnamese, before what Parse or the
// file system found, and keeps the file system's error for errors.Is.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(bad, []byte("unit_code,name,level\nA,B,province\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "none.csv")
	for _, c := range []struct {
		path string
		want []string
		is   error
	}{
		{bad, []string{"danh mục đơn vị " + bad + ": dòng 2: cột level: phải là một trong"}, nil},
		{missing, []string{"danh mục đơn vị " + missing + ": không mở được tệp", "khóa units"}, fs.ErrNotExist},
	} {
		_, err := Load(c.path)
		if err == nil {
			t.Fatalf("Load(%s): no error", c.path)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Load(%s) = %v; want it to contain %q", c.path, err, w)
			}
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("Load(%s) = %v; want errors.Is %v", c.path, err, c.is)
		}
	}
}

// Registries the history checks accept: a chain of mergers, a name reused
// by a new unit from the day the old one ended, a unit existing for no day.
func TestHistoryAccepted(t *testing.T) {
	for _, body := range []string{
		hist + "A,Xã A,commune,,2020-01-01,B\nB,Xã B,commune,,2025-07-01,C\nC,Xã C,commune,2025-07-01,,\n",
		hist + "A,Xã An Bình,commune,,2025-07-01,B\nB,Xã An Bình,commune,2025-07-01,,\n",
		hist + "A,Xã A,commune,2025-07-01,2025-07-01,\n",
		// A successor formed on the day A ends, or standing before it (an
		// existing commune absorbing A), or always.
		hist + "A,Xã A,commune,,2026-03-01,N\nN,Xã N,commune,2026-03-01,,\n",
		hist + "A,Xã A,commune,,2026-03-01,N\nN,Xã N,commune,2020-01-01,,\n",
		hist + "A,Xã A,commune,,2026-03-01,N\nN,Xã N,commune,,,\n",
	} {
		if _, err := Parse(strings.NewReader(body)); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}

// Parse never panics, and a registry it accepts has successor chains that
// end (the model follows them) and no two units valid on one day sharing a
// name.
func FuzzParse(f *testing.F) {
	f.Add(registry)
	f.Add(hist + "A,Xã A,commune,,2020-01-01,B\nB,Xã B,commune,,2025-07-01,C\nC,Xã C,commune,2025-07-01,,\n")
	f.Add(hist + "A,Xã A,commune,,2025-07-01,B\nB,Xã B,commune,,2025-08-01,A\n")
	f.Add(hist + "A,Xã A,commune,2025-07-01,2025-06-30,\n")
	f.Add(hist + "A,Xã A,commune,,2026-02-20,N\nN,Xã N,commune,2026-03-01,,\n")
	f.Add(hist + "A,Xã A,commune,,2025-07-01,B\nB,Xã A,commune,2025-07-01,2025-07-01,\n")
	f.Fuzz(func(t *testing.T, body string) {
		reg, err := Parse(strings.NewReader(body))
		if err != nil {
			return
		}
		next := map[string]string{}
		byCode := map[string]Unit{}
		for _, u := range reg.Units {
			next[u.Code] = u.SuccessorCode
			byCode[u.Code] = u
		}
		for _, u := range reg.Units {
			if s, ok := byCode[u.SuccessorCode]; ok && u.ValidTo != nil && s.ValidFrom != nil && s.ValidFrom.After(*u.ValidTo) {
				t.Fatalf("accepted successor %s formed after %s's valid_to", s.Code, u.Code)
			}
			// A dated resolution of each name never panics.
			if at := reg.ResolveDated(u.Name); at != nil {
				at(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
			}
		}
		for _, u := range reg.Units {
			c, n := u.Code, 0
			for next[c] != "" {
				if c, n = next[c], n+1; n > len(reg.Units) {
					t.Fatalf("accepted a looping chain from %s", u.Code)
				}
			}
		}
	})
}

// A name one unit bears and another, of another time, has as an alias
// (the old xã Hạ Bằng, dissolved on 2025-07-01, and the new commune named
// "UBND xã Hạ Bằng (mới)" with the old name as its alias): Resolve keeps
// the name's unit (time-free; a dossier's unit is ResolveDated's, see
// TestResolveDated), and ResolveAt gives the unit standing at the period's
// end.
func TestResolveNameOverAliasAcrossTime(t *testing.T) {
	reg, err := Parse(strings.NewReader("unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
		"X.HB,Xã Hạ Bằng,commune,,,2025-07-01,X.HBM,\n" +
		"X.PD,Xã Phú Đông,commune,,,2025-07-01,X.HBM,\n" +
		"X.HBM,UBND xã Hạ Bằng (mới),commune,,2025-07-01,,,Xã Hạ Bằng\n" +
		"X.K,Xã Kim Sơn,commune,,2020-01-01,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		raw, end, want string
	}{
		{"Xã Hạ Bằng", "2026-01-01", "X.HBM"},            // 2025: the new commune (its alias)
		{"xa ha bang", "2026-01-01", "X.HBM"},            // as Resolve compares
		{"Xã Hạ Bằng", "2025-01-01", "X.HB"},             // 2024: the old one (its name)
		{"Xã Hạ Bằng", "2025-07-01", "X.HB"},             // ending 30 June: the old one still stands
		{"Xã Hạ Bằng", "2019-01-01", "X.HB"},             // neither formed yet: the name's unit, as Resolve
		{"UBND xã Hạ Bằng (mới)", "2026-01-01", "X.HBM"}, // its own name
		{"X.HB", "2026-01-01", "X.HB"},                   // a code is a code
		{"Xã Phú Đông", "2026-01-01", "X.PD"},            // no other unit bears it: as Resolve
		{"Xã Kim Sơn", "2019-01-01", "X.K"},              // likewise, whatever the time
	} {
		got, ok := reg.ResolveAt(c.raw, day(c.end))
		if got != c.want || !ok {
			t.Errorf("ResolveAt(%q, %s) = %q, %v; want %q", c.raw, c.end, got, ok, c.want)
		}
	}
	if got, ok := reg.Resolve("Xã Hạ Bằng"); got != "X.HB" || !ok {
		t.Errorf("Resolve(Xã Hạ Bằng) = %q, %v; want X.HB (time-free: the name's unit)", got, ok)
	}
}

// ResolveDated gives, for a name several units bore at different times,
// the one bearing it at a dossier's time of receipt; for a code or a name
// one unit bears, nil (Resolve decides, whatever the date).
func TestResolveDated(t *testing.T) {
	reg, err := Parse(strings.NewReader("unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
		// The same exact name before and after the 2025 merger.
		"X.HB,UBND xã Hạ Bằng,commune,,,2025-07-01,XA.HB,\n" +
		"X.PD,UBND xã Phú Đông,commune,,,2025-07-01,XA.HB,\n" +
		"XA.HB,UBND xã Hạ Bằng,commune,,2025-07-01,,,\n" +
		// The old name kept as an alias of a new commune, while the old
		// commune itself merged into another.
		"X.PC,Xã Phú Cát,commune,,,2026-03-01,X.QO,\n" +
		"X.QO,Xã Quốc Oai,commune,,2026-03-01,,,\n" +
		"XA.PC,Xã Phú Cát (mới),commune,,2026-03-01,,,Xã Phú Cát\n" +
		// Two bearers over time, the last dissolved too.
		"Y.1,Xã Yên,commune,,2010-01-01,2020-01-01,Y.2,\n" +
		"Y.2,Xã Yên,commune,,2020-01-01,2025-07-01,Y.3,\n" +
		"Y.3,Xã Yên Mới,commune,,2025-07-01,,,\n" +
		// Z.0 valid for no day (formed and dissolved on 1 January 2020),
		// which the registry checks accept: after it, Z.0 and Z.1 both
		// ended on that day.
		"Z.1,Xã Dê,commune,,,2020-01-01,,\n" +
		"Z.0,Xã Dê,commune,,2020-01-01,2020-01-01,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { d, _ := time.Parse("02/01/2006 15:04", s); return d }
	for _, c := range []struct {
		raw, at, want string
		ok            bool
	}{
		{"UBND xã Hạ Bằng", "02/02/2026 08:00", "XA.HB", true}, // after 1 July 2025: the new one
		{"ubnd xa ha bang", "01/07/2025 00:00", "XA.HB", true}, // its first day (valid_from inclusive)
		{"UBND xã Hạ Bằng", "30/06/2025 23:59", "X.HB", true},  // the old one's last minute (valid_to exclusive)
		{"UBND xã Hạ Bằng", "15/03/2019 08:00", "X.HB", true},  // before: the old one (no valid_from: always)
		{"Xã Phú Cát", "06/04/2026 08:00", "XA.PC", true},      // the alias of the commune standing in April
		{"Xã Phú Cát", "27/02/2026 08:00", "X.PC", true},       // February: the old commune (→ X.QO by its chain)
		{"Xã Yên", "01/08/2026 08:00", "Y.2", true},            // none bears it any more: the last to (→ Y.3)
		{"Xã Yên", "01/01/2005 08:00", "Y.1", true},            // none bore it yet: the first to
		{"Xã Yên", "01/06/2015 08:00", "Y.1", true},            // Y.1's time
		{"Xã Yên", "01/06/2022 08:00", "Y.2", true},            // Y.2's time
	} {
		f := reg.ResolveDated(c.raw)
		if f == nil {
			t.Errorf("ResolveDated(%q) = nil; want a name shared over time", c.raw)
			continue
		}
		if got, ok := f(at(c.at)); got != c.want || ok != c.ok {
			t.Errorf("ResolveDated(%q)(%s) = %q, %v; want %q, %v", c.raw, c.at, got, ok, c.want, c.ok)
		}
	}
	if got, ok := reg.ResolveDated("Xã Dê")(at("01/06/2021 08:00")); ok {
		t.Errorf("ResolveDated(Xã Dê)(2021) = %q, true; want false (Z.0 and Z.1 both ended on 1 January 2020)", got)
	}
	for _, raw := range []string{"X.HB", "XA.HB", "UBND xã Phú Đông", "Xã Quốc Oai", "Xã Phú Cát (mới)", "xã không có"} {
		if reg.ResolveDated(raw) != nil {
			t.Errorf("ResolveDated(%q) != nil; want nil (not a name shared over time)", raw)
		}
	}
}
