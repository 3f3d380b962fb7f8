package transforms

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// datedUnits is fakeUnits with names several units bore over time, as
// units.Registry resolves them: each shared key has the units bearing it
// from a day (inclusive) until the next one's day; "" marks a day on
// which two units would bear it (the ambiguity the registry checks leave).
type datedUnits struct {
	fakeUnits
	shared map[string][]datedSpan
}

type datedSpan struct {
	from time.Time
	code string
}

func (d datedUnits) ResolveDated(raw string) func(time.Time) (string, bool) {
	spans, ok := d.shared[Key(raw)]
	if !ok {
		return nil
	}
	return func(t time.Time) (string, bool) {
		code := spans[0].code
		for _, s := range spans[1:] {
			if !t.Before(s.from) {
				code = s.code
			}
		}
		return code, code != ""
	}
}

// A dossier's unit named by a name several units bore over time (the old
// xã Hạ Bằng, dissolved on 1 July 2025, and the new commune formed under
// its name) is the one bearing it on the day of receipt; the memo, keyed
// by the cell value, must not hand one row's unit to a row of another
// day. Without the date the row cannot be placed: its reason says so.
func TestUnitNameSharedOverTime(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	units := datedUnits{
		fakeUnits: fakeUnits{"xhb": "X.HB", "xahb": "XA.HB", "stp": "S.TP"},
		shared: map[string][]datedSpan{
			"ubndxahabang": {{code: "X.HB"}, {day(2025, 7, 1), "XA.HB"}},
			// From 1 March 2026 the registry cannot tell.
			"xaden": {{code: "X.D"}, {day(2026, 3, 1), ""}},
		},
	}
	header := []string{"STT", "Mã hồ sơ", "Đơn vị", "Ngày tiếp nhận"}
	cases := []struct {
		name     string
		row      []string
		unit     string // loaded unit_code, "" if quarantined
		code     string // reason_code of a quarantined row
		contains string // in its reason
	}{
		// 2 February 2026 ≥ 1 July 2025: the new commune.
		{"after the merger", []string{"1", "HS-1", "UBND xã Hạ Bằng", "02/02/2026 08:00"}, "XA.HB", "", ""},
		// Same cell value, 30 June 2025 < 1 July 2025: the old one (the
		// memo holds the value, not the first row's unit).
		{"before the merger", []string{"2", "HS-2", "UBND xã Hạ Bằng", "30/06/2025 17:00"}, "X.HB", "", ""},
		{"first day of the new one", []string{"3", "HS-3", "ubnd xa ha bang", "01/07/2025"}, "XA.HB", "", ""},
		// A code resolves as ever.
		{"a code", []string{"4", "HS-4", "X.HB", "02/02/2026 08:00"}, "X.HB", "", ""},
		{"unreadable date", []string{"5", "HS-5", "UBND xã Hạ Bằng", "31/02/2026"}, "", CodeUnparseableDate,
			`tên đơn vị "UBND xã Hạ Bằng" (cột "Đơn vị") là tên chung của nhiều đơn vị qua các thời kỳ`},
		{"no date", []string{"6", "HS-6", "UBND xã Hạ Bằng", ""}, "", CodeMissingReceivedAt, "cần ngày tiếp nhận để xác định"},
		// A name one unit bears needs no such words.
		{"unreadable date, plain unit", []string{"7", "HS-7", "STP", "31/02/2026"}, "", CodeUnparseableDate, "Không đọc được ngày"},
		{"ambiguous on the day", []string{"8", "HS-8", "Xã Đen", "02/03/2026 08:00"}, "", CodeAmbiguousUnit,
			`Đơn vị "Xã Đen" ứng với nhiều đơn vị trong danh mục vào ngày tiếp nhận 02/03/2026 08:00`},
		{"unambiguous before", []string{"9", "HS-9", "Xã Đen", "02/02/2026 08:00"}, "X.D", "", ""},
		{"unknown", []string{"10", "HS-10", "Xã Không Có", "02/02/2026 08:00"}, "", CodeUnknownUnit, "chưa có trong danh mục"},
	}
	rows := make([][]string, len(cases))
	for i, c := range cases {
		rows[i] = c.row
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: units, Source: "s", File: "f.csv", Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	at := bySourceRow(t, out)
	byRow := map[int64]RowError{}
	for _, e := range errs {
		byRow[e.Row] = e
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, bad := byRow[int64(ci+2)]
			if c.code == "" {
				if bad {
					t.Fatalf("quarantined: %+v", e)
				}
				if got := value(out, "unit_code", at[int64(ci+2)]); got != c.unit {
					t.Errorf("unit_code = %q, want %q", got, c.unit)
				}
				return
			}
			if !bad || e.Code != c.code || !strings.Contains(e.Reason, c.contains) {
				t.Errorf("error = %+v, want code %s and a reason containing %q", e, c.code, c.contains)
			}
			if c.name == "unreadable date, plain unit" && strings.Contains(e.Reason, "tên chung") {
				t.Errorf("reason %q speaks of a shared name", e.Reason)
			}
		})
	}
}

// formedUnits is fakeUnits knowing the units' valid_from, as
// units.Registry does (UnitValidity).
type formedUnits struct {
	fakeUnits
	from map[string]time.Time
}

func (f formedUnits) ValidFrom(code string) (time.Time, bool) {
	t, ok := f.from[code]
	return t, ok
}

// A dossier received before its unit's valid_from is quarantined as
// before_unit_valid_from, whether the unit is written in the row or is the
// source's default; the reason names the unit, its valid_from and the day
// of receipt. XA.N is formed on 1 July 2025; S.TP has no valid_from.
func TestDossierBeforeUnitFormed(t *testing.T) {
	units := formedUnits{
		fakeUnits: fakeUnits{"xamoi": "XA.N", "stp": "S.TP"},
		from:      map[string]time.Time{"XA.N": time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
	}
	header := []string{"STT", "Mã hồ sơ", "Đơn vị", "Ngày tiếp nhận"}
	cases := []struct {
		name     string
		row      []string
		unit     string // loaded unit_code, "" if quarantined
		column   string // column of a quarantined row
		contains string // in its reason
	}{
		{"default unit before", []string{"1", "HS-1", "", "15/06/2025 08:00"}, "", "Ngày tiếp nhận",
			`Hồ sơ tiếp nhận ngày 15/06/2025 08:00 (cột "Ngày tiếp nhận"), trước ngày đơn vị XA.N (mặc định của nguồn s) bắt đầu hoạt động 01/07/2025 (valid_from trong units.csv)`},
		// 01/07/2025 00:00 is not before 01/07/2025.
		{"default unit, first day", []string{"2", "HS-2", "", "01/07/2025"}, "XA.N", "", ""},
		{"named unit before", []string{"3", "HS-3", "Xã Mới", "30/06/2025 23:59"}, "", "Đơn vị",
			`trước ngày đơn vị "Xã Mới" (mã XA.N) bắt đầu hoạt động 01/07/2025 (valid_from trong units.csv): đơn vị chưa tồn tại`},
		{"no valid_from", []string{"4", "HS-4", "STP", "02/01/2001"}, "S.TP", "", ""},
	}
	rows := make([][]string, len(cases))
	for i, c := range cases {
		rows[i] = c.row
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	raw := rawRecord(mem, header, rows)
	defer raw.Release()
	m, err := NewMapper(header, MapOptions{Units: units, DefaultUnit: "XA.N", Source: "s", File: "f.csv", Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	out, errs := m.Apply(header, raw)
	defer out.Release()
	at := bySourceRow(t, out)
	byRow := map[int64]RowError{}
	for _, e := range errs {
		byRow[e.Row] = e
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, bad := byRow[int64(ci+2)]
			if c.unit != "" {
				if bad {
					t.Fatalf("quarantined: %+v", e)
				}
				if got := value(out, "unit_code", at[int64(ci+2)]); got != c.unit {
					t.Errorf("unit_code = %q, want %q", got, c.unit)
				}
				return
			}
			if !bad || e.Code != CodeBeforeUnitValidFrom || e.Column != c.column || !strings.Contains(e.Reason, c.contains) {
				t.Errorf("error = %+v, want code %s, column %q and a reason containing %q", e, CodeBeforeUnitValidFrom, c.column, c.contains)
			}
		})
	}
}
