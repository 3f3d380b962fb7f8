// Package units reads the unit registry (units.csv) and resolves the unit
// column of an export, a code, a name or an alias, written with or without
// diacritics and in any case, to a unit_code.
package units

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cchc/cchc/transforms"
)

// Levels a unit may have, as the contract names them.
var Levels = []string{"department", "district", "commune"}

// Unit is one row of the registry.
type Unit struct {
	Code          string
	Name          string
	Level         string
	ParentCode    string
	ValidFrom     *time.Time
	ValidTo       *time.Time
	SuccessorCode string
	Aliases       []string
}

// Registry resolves unit references. It is immutable after Load and safe for
// concurrent use.
type Registry struct {
	Units  []Unit            // in file order
	byCode map[string]string // exact code → code
	byKey  map[string]string // transforms.Key of code, name or alias → code
	// byTime are the keys of byKey that one unit's name and another's
	// alias share (checkHistory refuses two such units valid on one day:
	// they are units of different times, the dissolved commune and the new
	// one formed under its name). Resolve gives the name's unit; ResolveAt
	// gives the one standing at the period's end, ResolveDated (a
	// dossier's unit) the one bearing it on the day of receipt.
	byTime map[string]bool
	// shared are the keys of names and aliases that several units bear
	// (valid on different days, as checkHistory requires), but no code:
	// their bearers in order of valid_from, for ResolveDated.
	shared map[string]*timeline
	from   map[string]time.Time // code → valid_from, for the units having one
}

// timeline is the units that bore one name or alias; their validity
// [valid_from, valid_to) does not overlap (checkHistory).
type timeline []*Unit

// Header is the registry's CSV header; only the first three columns are
// required.
var Header = []string{"unit_code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "aliases"}

// Load reads a registry file. Errors name the file, line and column.
func Load(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("danh mục đơn vị %s: không mở được tệp; kiểm tra khóa units trong cấu hình (%w)", path, err)
	}
	defer f.Close()
	r, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("danh mục đơn vị %s: %w", path, err)
	}
	return r, nil
}

// Parse reads a registry from r (UTF-8, optional BOM).
func Parse(r io.Reader) (*Registry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("dòng 1: không đọc được dòng tiêu đề; dòng đầu của units.csv phải là %s (cannot read header: %w)", strings.Join(Header, ","), err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col[strings.ToLower(h)] = i
	}
	for _, req := range Header[:3] {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("dòng 1: thiếu cột %s; dòng tiêu đề phải là %s (missing column %q)", req, strings.Join(Header, ","), req)
		}
	}
	reg := &Registry{byCode: map[string]string{}, byKey: map[string]string{}, byTime: map[string]bool{}}
	var errs []error
	firstLine := map[string]int{} // code → the line it is first on
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos would panic on a record that was not read.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("dòng %d: không đọc được dòng CSV; kiểm tra dấu ngoặc kép (\") trong dòng, một ô có dấu phẩy phải nằm trong ngoặc kép (%w)", pe.Line, err)
			}
			return nil, fmt.Errorf("không đọc được tệp (%w)", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return transforms.NFC(rec[i])
		}
		u := Unit{Code: get("unit_code"), Name: get("name"), Level: get("level"), ParentCode: get("parent_code"), SuccessorCode: get("successor_code")}
		if u.Code == "" && u.Name == "" {
			continue
		}
		bad := func(column, format string, args ...any) {
			errs = append(errs, fmt.Errorf("dòng %d: cột %s: %s", line, column, fmt.Sprintf(format, args...)))
		}
		// A registry saved in a legacy encoding (TCVN3, VNI, cp1258) would
		// be stored garbled and differ from itself at every run.
		for i, v := range rec {
			if !utf8.ValidString(v) && i < len(head) {
				bad(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")), "tệp không phải UTF-8: lưu units.csv dạng \"CSV UTF-8\" rồi chạy lại (not UTF-8 text)")
			}
		}
		if u.Code == "" {
			bad("unit_code", "bắt buộc, đang để trống: điền mã đơn vị (required)")
		}
		if u.Name == "" {
			bad("name", "bắt buộc, đang để trống: điền tên đơn vị (required)")
		}
		if !contains(Levels, u.Level) {
			bad("level", "phải là một trong %s, nhận được %q", strings.Join(Levels, ", "), u.Level)
		}
		for _, d := range []struct {
			name string
			dst  **time.Time
		}{{"valid_from", &u.ValidFrom}, {"valid_to", &u.ValidTo}} {
			if s := get(d.name); s != "" {
				t, err := time.Parse("2006-01-02", s)
				if err != nil {
					bad(d.name, "ngày phải viết dạng YYYY-MM-DD (năm-tháng-ngày, ví dụ 2025-07-01), nhận được %q", s)
				} else {
					*d.dst = &t
				}
			}
		}
		for _, a := range strings.Split(get("aliases"), "|") {
			if a = strings.TrimSpace(a); a != "" {
				u.Aliases = append(u.Aliases, a)
			}
		}
		if first, dup := firstLine[u.Code]; dup && u.Code != "" {
			bad("unit_code", "mã đơn vị %q đã có ở dòng %d; mỗi đơn vị một mã riêng (duplicate unit code)", u.Code, first)
		} else {
			firstLine[u.Code] = line
		}
		reg.byCode[u.Code] = u.Code
		reg.Units = append(reg.Units, u)
	}
	for _, u := range reg.Units {
		if u.ParentCode != "" {
			if _, ok := reg.byCode[u.ParentCode]; !ok {
				errs = append(errs, fmt.Errorf("đơn vị %s: parent_code %q không có trong danh mục; thêm đơn vị cấp trên vào units.csv hoặc sửa parent_code (not in the registry)", u.Code, u.ParentCode))
			}
		}
		if u.SuccessorCode != "" {
			if _, ok := reg.byCode[u.SuccessorCode]; !ok {
				errs = append(errs, fmt.Errorf("đơn vị %s: successor_code %q không có trong danh mục; thêm đơn vị kế thừa vào units.csv hoặc sửa successor_code (not in the registry)", u.Code, u.SuccessorCode))
			}
		}
	}
	errs = append(errs, reg.checkHistory()...)
	// Codes win over names and names over aliases, so an alias can never
	// shadow another unit's code; an ambiguous key resolves to nothing.
	ambiguous := map[string]bool{}
	add := func(k, code string, pass int, claimed map[string]int) {
		if k == "" {
			return
		}
		if prev, ok := reg.byKey[k]; ok && prev != code {
			if claimed[k] == pass {
				ambiguous[k] = true
			}
			if claimed[k] == 1 && pass == 2 {
				reg.byTime[k] = true
			}
			return
		}
		reg.byKey[k] = code
		claimed[k] = pass
	}
	claimed := map[string]int{}
	for pass, names := range []func(Unit) []string{
		func(u Unit) []string { return []string{u.Code} },
		func(u Unit) []string { return []string{u.Name} },
		func(u Unit) []string { return u.Aliases },
	} {
		for _, u := range reg.Units {
			for _, n := range names(u) {
				add(transforms.Key(n), u.Code, pass, claimed)
			}
		}
	}
	for k := range ambiguous {
		delete(reg.byKey, k)
	}
	reg.shared = sharedNames(reg.Units)
	// A unit formed by a merger takes its predecessors' dossiers over, and
	// its exports may list them under its own code with the day they were
	// received, before it existed: it has no valid_from to hold a dossier
	// against (ValidFrom). Only a unit no other unit passes its dossiers
	// to does.
	successors := map[string]bool{}
	for _, u := range reg.Units {
		if u.SuccessorCode != "" {
			successors[u.SuccessorCode] = true
		}
	}
	reg.from = map[string]time.Time{}
	for _, u := range reg.Units {
		if u.ValidFrom != nil && !successors[u.Code] {
			reg.from[u.Code] = *u.ValidFrom
		}
	}
	if len(reg.Units) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("không có đơn vị nào: thêm các đơn vị, mỗi đơn vị một dòng, dưới dòng tiêu đề (no units)"))
	}
	return reg, errors.Join(errs...)
}

// checkHistory checks what the unit history (docs/contract.md, "Unit history")
// relies on: a unit's valid_to (the first day it no longer exists) does not
// precede its valid_from; its successor exists by then (successor
// valid_from not after valid_to); a successor chain ends (no loop; a successor
// missing from the registry is reported by Parse); two units valid on the
// same day do not share a name or an alias (compared as Resolve compares
// them: without diacritics, case or extra spaces), since an export naming
// them could mean either.
func (r *Registry) checkHistory() []error {
	var errs []error
	byCode := map[string]*Unit{}
	for i := range r.Units {
		byCode[r.Units[i].Code] = &r.Units[i]
	}
	for _, u := range r.Units {
		if u.ValidFrom != nil && u.ValidTo != nil && u.ValidTo.Before(*u.ValidFrom) {
			errs = append(errs, fmt.Errorf("đơn vị %s: valid_to %s trước valid_from %s; sửa một trong hai ngày (valid_to precedes valid_from)", u.Code,
				u.ValidTo.Format("2006-01-02"), u.ValidFrom.Format("2006-01-02")))
		}
		// valid_to is the successor's first day (a merger's day): a later
		// valid_from would leave the days between with no unit to
		// count the dossiers for, and put a unit that does not exist yet
		// on the period's forms.
		if s := byCode[u.SuccessorCode]; s != nil && u.ValidTo != nil && s.ValidFrom != nil && s.ValidFrom.After(*u.ValidTo) {
			errs = append(errs, fmt.Errorf("đơn vị %s: đơn vị kế thừa (successor_code) %s có valid_from %s sau valid_to %s của %s: từ %s đến %s không có đơn vị nào nhận hồ sơ của %s; sửa valid_to của %s thành %s (ngày đầu tiên %s không còn tồn tại, cũng là ngày %s bắt đầu), hoặc valid_from của %s thành %s, hoặc chọn đơn vị kế thừa khác",
				u.Code, s.Code, s.ValidFrom.Format("2006-01-02"), u.ValidTo.Format("2006-01-02"), u.Code,
				u.ValidTo.Format("2006-01-02"), s.ValidFrom.AddDate(0, 0, -1).Format("2006-01-02"), u.Code,
				u.Code, s.ValidFrom.Format("2006-01-02"), u.Code, s.Code, s.Code, u.ValidTo.Format("2006-01-02")))
		}
		seen := map[string]bool{u.Code: true}
		chain := []string{u.Code}
		for next := byCode[u.SuccessorCode]; next != nil && u.SuccessorCode != ""; next = byCode[next.SuccessorCode] {
			chain = append(chain, next.Code)
			if seen[next.Code] {
				// Reported once, by the chain's smallest code.
				if smallest(chain[:len(chain)-1]) == u.Code && next.Code == u.Code {
					errs = append(errs, fmt.Errorf("đơn vị %s: chuỗi successor_code quay vòng: %s; đơn vị cuối chuỗi phải để trống successor_code (successor_code chain loops)", u.Code, strings.Join(chain, " → ")))
				}
				break
			}
			seen[next.Code] = true
			if next.SuccessorCode == "" {
				break
			}
		}
	}
	type use struct {
		u    *Unit
		what string
	}
	byKey := map[string][]use{}
	var keys []string
	for i := range r.Units {
		u := &r.Units[i]
		names := map[string]string{transforms.Key(u.Name): "tên " + u.Name}
		for _, a := range u.Aliases {
			if k := transforms.Key(a); names[k] == "" {
				names[k] = "tên gọi khác " + a
			}
		}
		for k, what := range names {
			if k == "" {
				continue
			}
			if len(byKey[k]) == 0 {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], use{u, what})
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		us := byKey[k]
		for i := 0; i < len(us); i++ {
			for j := i + 1; j < len(us); j++ {
				a, b := us[i].u, us[j].u
				if a.Code != b.Code && overlap(a, b) {
					errs = append(errs, fmt.Errorf("đơn vị %s (%s) và %s (%s) cùng có hiệu lực trong một ngày mà trùng tên hoặc tên gọi khác; đặt valid_to cho một trong hai, hoặc bỏ tên gọi khác khỏi cột aliases (units are valid on the same day with the same name or alias)",
						a.Code, us[i].what, b.Code, us[j].what))
				}
			}
		}
	}
	return errs
}

// overlap reports whether a and b are both valid on some day; validity is
// [valid_from, valid_to), an empty bound open.
func overlap(a, b *Unit) bool {
	before := func(x, y *time.Time) bool { return x == nil || y == nil || x.Before(*y) }
	return before(a.ValidFrom, b.ValidTo) && before(b.ValidFrom, a.ValidTo)
}

// sharedNames maps the key of each name or alias several units bear to
// their timeline, but the key of a code: a code is a code.
func sharedNames(us []Unit) map[string]*timeline {
	codes := map[string]bool{}
	for _, u := range us {
		codes[transforms.Key(u.Code)] = true
	}
	by := map[string]timeline{}
	for i := range us {
		u := &us[i]
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k := transforms.Key(n)
			if k == "" || codes[k] {
				continue
			}
			if tl := by[k]; len(tl) == 0 || tl[len(tl)-1] != u {
				by[k] = append(tl, u)
			}
		}
	}
	out := map[string]*timeline{}
	for k, tl := range by {
		if len(tl) > 1 {
			sort.SliceStable(tl, func(i, j int) bool { return before(tl[i].ValidFrom, tl[j].ValidFrom) })
			out[k] = &tl
		}
	}
	return out
}

// before orders dates with an empty one (open, the beginning of time)
// first.
func before(a, b *time.Time) bool {
	return a != nil && b != nil && a.Before(*b) || a == nil && b != nil
}

// on gives the unit that bore the name at t (a wall-clock time, compared
// with the registry's dates as the same naive calendar): the one valid on
// that day; when none is (a day between or after them all), the last one
// dissolved before it, whose successor chain carries its dossiers on;
// when none was yet formed, the first one formed. False when two of them
// qualify, which checkHistory leaves possible only for units valid for
// no day at all.
func (tl *timeline) on(t time.Time) (string, bool) {
	var standing, last, first *Unit
	n, nLast, nFirst := 0, 0, 0
	for _, u := range *tl {
		switch {
		case u.ValidFrom != nil && t.Before(*u.ValidFrom):
			if first == nil || u.ValidFrom.Before(*first.ValidFrom) {
				first, nFirst = u, 1
			} else if u.ValidFrom.Equal(*first.ValidFrom) {
				nFirst++
			}
		case u.ValidTo != nil && !t.Before(*u.ValidTo):
			if last == nil || last.ValidTo.Before(*u.ValidTo) {
				last, nLast = u, 1
			} else if u.ValidTo.Equal(*last.ValidTo) {
				nLast++
			}
		default:
			standing = u
			n++
		}
	}
	switch {
	case n > 0:
		return standing.Code, n == 1
	case last != nil:
		return last.Code, nLast == 1
	case first != nil:
		return first.Code, nFirst == 1
	}
	return "", false
}

func smallest(codes []string) string {
	m := codes[0]
	for _, c := range codes[1:] {
		if c < m {
			m = c
		}
	}
	return m
}

// Resolve maps a raw reference (code, name or alias) to a unit code,
// whatever the date: a name two units of different times bear is the
// name's unit (over an alias's), or nothing when both bear it as their
// name. A dossier's unit is resolved with ResolveDated first.
func (r *Registry) Resolve(raw string) (string, bool) {
	if c, ok := r.byCode[raw]; ok {
		return c, true
	}
	c, ok := r.byKey[transforms.Key(raw)]
	return c, ok
}

// ResolveDated resolves the unit column of a dossier (see
// transforms.DatedUnitResolver): for a name or alias several units bore at
// different times (the old xã Hạ Bằng and the new commune formed under the
// same name, or bearing it as an alias), the function giving the unit that
// bore it on the dossier's day of receipt (see timeline.on); nil for a
// code or a name only one unit bears, which Resolve resolves.
func (r *Registry) ResolveDated(raw string) func(time.Time) (string, bool) {
	if _, ok := r.byCode[raw]; ok {
		return nil
	}
	if tl := r.shared[transforms.Key(raw)]; tl != nil {
		return tl.on
	}
	return nil
}

// ResolveAt is Resolve for a reference written about a period ending at
// end (exclusive): a name or alias two units of different times share (the
// old xã Hạ Bằng and the new one, whether both bear it as their name, which
// Resolve finds ambiguous, or one as its name and the other as an alias,
// which Resolve gives to the name's unit) goes to the only unit bearing it
// that stands at end (valid_from before end, valid_to empty or not before
// end). A code is a code, dissolved or not. Two units standing at end, or
// none and Resolve finds none either: false.
func (r *Registry) ResolveAt(raw string, end time.Time) (string, bool) {
	if c, ok := r.byCode[raw]; ok {
		return c, true
	}
	k := transforms.Key(raw)
	fallback, ok := r.byKey[k]
	if ok && !r.byTime[k] {
		return fallback, true
	}
	if k == "" {
		return "", false
	}
	found := ""
	for _, u := range r.Units {
		if (u.ValidFrom != nil && !u.ValidFrom.Before(end)) || (u.ValidTo != nil && u.ValidTo.Before(end)) {
			continue
		}
		match := transforms.Key(u.Name) == k
		for _, a := range u.Aliases {
			match = match || transforms.Key(a) == k
		}
		if !match || found == u.Code {
			continue
		}
		if found != "" {
			return "", false
		}
		found = u.Code
	}
	if found == "" && ok {
		// None of them stands at end (a period before the name's unit
		// was formed, say): the name's unit, as Resolve.
		return fallback, true
	}
	return found, found != ""
}

// ValidFrom returns the registry's valid_from of unit code, the first day
// the unit exists (transforms.UnitValidity); false when it has none, when
// the code is not registered, and when the unit is another's successor
// (its exports may relabel its predecessors' dossiers, received before it
// was formed).
func (r *Registry) ValidFrom(code string) (time.Time, bool) {
	t, ok := r.from[code]
	return t, ok
}

// Has reports whether code is a registered unit code.
func (r *Registry) Has(code string) bool {
	_, ok := r.byCode[code]
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
