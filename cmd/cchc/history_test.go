package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const historyHeader = "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,aliases\n" +
	"H.BAVI,UBND huyện Ba Vì,district,,,,,Ba Vì\n" +
	"S.TP,Sở Tư pháp,department,,,,,\n"

// gapRows is a registry whose successor is formed after its predecessor's
// valid_to (the first day it no longer exists).
const gapRows = "X.TANLINH,UBND xã Tản Lĩnh,commune,,,2026-02-20,X.MOI,\nX.MOI,UBND xã Mới,commune,,2026-03-01,,,\n"

// cchc validate refuses a registry the unit history cannot use (exit 2),
// and warns about a dissolved unit without successor still receiving
// dossiers (xã Tản Lĩnh receives H41.01-260303-0003 on 03/03/2026). cchc
// run reports the rows it redirected to a successor.
func TestValidateUnitHistory(t *testing.T) {
	refused := []struct{ rows, want string }{
		{"X.TANLINH,UBND xã Tản Lĩnh,commune,,,2026-03-01,X.MOI,\nX.MOI,UBND xã Mới,commune,,2026-03-01,2026-06-01,X.TANLINH,\n",
			"chuỗi successor_code quay vòng: X.MOI → X.TANLINH → X.MOI"},
		{"X.TANLINH,UBND xã Tản Lĩnh,commune,,,2026-03-01,X.NONE,\n", `successor_code "X.NONE" không có trong danh mục`},
		{"X.TANLINH,UBND xã Tản Lĩnh,commune,,2026-03-01,2026-02-01,,\n", "valid_to 2026-02-01 trước valid_from 2026-03-01"},
		{"X.TANLINH,UBND xã Tản Lĩnh,commune,,,,,\nX.TL2,UBND xã Tân Linh,commune,,2026-01-01,,,Tản Lĩnh\n", "cùng có hiệu lực trong một ngày mà trùng tên hoặc tên gọi khác"},
		// X.MOI formed on 1 March, Tản Lĩnh gone from 20 February.
		{gapRows, "đơn vị X.TANLINH: đơn vị kế thừa (successor_code) X.MOI có valid_from 2026-03-01 sau valid_to 2026-02-20 của X.TANLINH"},
	}
	for _, c := range refused {
		dir := project(t, e2eSources, "")
		if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(historyHeader+c.rows), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cchc(t, dir, nil, "validate")
		if r.code != 2 || !strings.Contains(r.stdout+r.stderr, c.want) {
			t.Errorf("validate %q: exit %d, want 2 and %q\n%s%s", c.rows, r.code, c.want, r.stdout, r.stderr)
		}
	}
	// cchc run refuses it before anything is written: no warehouse.
	dir := project(t, e2eSources, "")
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(historyHeader+gapRows), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cchc(t, dir, nil, "run"); r.code != 2 {
		t.Errorf("run with a successor formed late: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cchc.duckdb")); !os.IsNotExist(err) {
		t.Errorf("run with a refused registry wrote the warehouse: %v", err)
	}

	dir = project(t, e2eSources, "")
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(historyHeader+"X.TANLINH,UBND xã Tản Lĩnh,commune,,,2026-03-01,,Tản Lĩnh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cchc(t, dir, nil, "validate")
	if want := "cảnh báo: 1 dòng ghi đơn vị X.TANLINH sau ngày valid_to nhưng đơn vị chưa có successor_code"; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("validate: exit %d, want 0 and %q\n%s%s", r.code, want, r.stdout, r.stderr)
	}

	dir = project(t, e2eSources, "")
	if err := os.WriteFile(filepath.Join(dir, "units.csv"), []byte(historyHeader+
		"X.TANLINH,UBND xã Tản Lĩnh,commune,,,2026-03-01,X.MOI,Tản Lĩnh\nX.MOI,UBND xã Mới,commune,,2026-03-01,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cchc(t, dir, nil, "run")
	if want := "chuyển 1 dòng ghi đơn vị đã giải thể X.TANLINH sang đơn vị kế thừa X.MOI"; !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("run summary lacks %q: exit %d\n%s%s", want, r.code, r.stdout, r.stderr)
	}
}
