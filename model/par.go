package model

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cchc/cchc/periods"
)

//go:embed par_default.yaml
var defaultPARMethodology []byte

// PARMethodology is the scoring scheme of the provincial CCHC index (PAR
// index) as data (METHODOLOGY.md, "CCHC index"). The built-in default
// scores from the sheets alone.
type PARMethodology struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
	TitleVI string `yaml:"title_vi"`
	TitleEN string `yaml:"title_en"`
	// Survey is the code of the sociological-survey field; empty: the
	// depth-1 node whose name contains "điều tra xã hội học".
	Survey string `yaml:"survey"`
	// BonusCap and PenaltyCap bound a unit's bonus and penalty points;
	// nil: no cap.
	BonusCap   *float64 `yaml:"bonus_cap"`
	PenaltyCap *float64 `yaml:"penalty_cap"`
	// From is the first period this version scores (a period name); the
	// par_* rows of periods before it are kept as they were computed. Empty:
	// every period is scored by this version.
	From string `yaml:"from"`
	// Decimals is the number of published decimals (default 2); the
	// config's par.decimals overrides it.
	Decimals *int      `yaml:"decimals"`
	Data     []PARData `yaml:"data"`
	// Tree, when set, is the tree of criteria instead of the sheets'; a
	// sheet that disagrees with it (a maximum, a split sheet-scored
	// criterion, an extra row) leaves its unit incomplete.
	Tree  []PARNode `yaml:"tree"`
	Tiers []Tier    `yaml:"tiers"`
}

// PARData feeds one criterion from the warehouse instead of the sheet:
// bracket rules over the rate of a service-index indicator of the unit in
// the period, or max × the unit's service index / 100.
type PARData struct {
	Code         string       `yaml:"code"`
	Indicator    string       `yaml:"indicator"`
	Brackets     []PARBracket `yaml:"brackets"`
	Else         float64      `yaml:"else"`
	ServiceIndex bool         `yaml:"service_index"`
}

// PARBracket scores Points when the rate is at least Min (a rate in 0..1).
type PARBracket struct {
	Min    float64 `yaml:"min"`
	Points float64 `yaml:"points"`
}

// PARNode is a node of a tree fixed by the methodology.
type PARNode struct {
	Code string  `yaml:"code"`
	Name string  `yaml:"name"`
	Max  float64 `yaml:"max"`
}

// parCode is a path code: a Roman numeral, then dotted integers.
var parCode = regexp.MustCompile(`^[IVXLC]+(\.[0-9]+)*$`)

// LoadPARMethodology returns the built-in PAR methodology for "default"
// (or ""), else reads the YAML file at nameOrPath. Errors name the file and
// the key.
func LoadPARMethodology(nameOrPath string) (*PARMethodology, error) {
	return loadYAML[PARMethodology]("phương pháp PAR", "có sẵn (default)", defaultPARMethodology, nameOrPath)
}

func (m *PARMethodology) validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if !code.MatchString(m.Name) {
		bad("name", "bắt buộc, gồm chữ cái không dấu, chữ số và _, bắt đầu bằng chữ cái, nhận được %q", m.Name)
	}
	if m.Version == "" {
		bad("version", "bắt buộc: mỗi dòng điểm ghi phiên bản phương pháp đã tính ra nó (required)")
	}
	if m.TitleVI == "" {
		bad("title_vi", "bắt buộc: tên chỉ số in trên các ấn phẩm (required)")
	}
	if m.Survey != "" && !parCode.MatchString(m.Survey) {
		bad("survey", "phải là mã lĩnh vực dạng số La Mã như VIII, nhận được %q", m.Survey)
	}
	for _, c := range []struct {
		key string
		v   *float64
	}{{"bonus_cap", m.BonusCap}, {"penalty_cap", m.PenaltyCap}} {
		if c.v != nil && *c.v < 0 {
			bad(c.key, "không được âm (must not be negative)")
		}
	}
	if m.From != "" {
		if _, err := periods.Parse(m.From, periods.Calendar); err != nil {
			bad("from", "kỳ không hợp lệ; viết YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 hoặc YYYY (%v)", err)
		}
	}
	if m.Decimals != nil && (*m.Decimals < 0 || *m.Decimals > 6) {
		bad("decimals", "phải là số nguyên từ 0 đến 6 (must be 0 to 6)")
	}
	seen := map[string]bool{}
	for i, d := range m.Data {
		key := fmt.Sprintf("data[%d]", i)
		if !parCode.MatchString(d.Code) || seen[d.Code] {
			bad(key+".code", "phải là mã tiêu chí không trùng như II.3, nhận được %q (must be a unique criterion code)", d.Code)
		}
		seen[d.Code] = true
		switch {
		case d.ServiceIndex && (d.Indicator != "" || len(d.Brackets) > 0):
			bad(key, "chỉ chọn một: service_index, hoặc indicator kèm brackets, không cả hai (either service_index or indicator with brackets, not both)")
		case !d.ServiceIndex && (!code.MatchString(d.Indicator) || len(d.Brackets) == 0):
			bad(key, "cần service_index: true, hoặc mã indicator kèm brackets (needs service_index: true, or an indicator code and brackets)")
		}
		for j, b := range d.Brackets {
			bk := fmt.Sprintf("%s.brackets[%d]", key, j)
			if b.Min < 0 || b.Min > 1 {
				bad(bk+".min", "phải là tỉ lệ từ 0 đến 1 (ví dụ 0.98 cho 98%%), nhận được %v (must be a rate in [0, 1])", b.Min)
			}
			if j > 0 && b.Min >= d.Brackets[j-1].Min {
				bad(bk+".min", "các khoảng (brackets) phải liệt kê theo min từ cao xuống thấp (brackets must be listed from the highest min down)")
			}
			if b.Points < 0 {
				bad(bk+".points", "không được âm (must not be negative)")
			}
		}
	}
	for i, d := range m.Data {
		for j, e := range m.Data {
			if i != j && strings.HasPrefix(e.Code, d.Code+".") {
				bad(fmt.Sprintf("data[%d].code", j), "%s nằm dưới %s, mà %s đã lấy điểm từ data; bỏ một trong hai (%s lies under %s, which is fed from data already)", e.Code, d.Code, d.Code, e.Code, d.Code)
			}
		}
	}
	nodes := map[string]bool{}
	for i, n := range m.Tree {
		key := fmt.Sprintf("tree[%d]", i)
		if !parCode.MatchString(n.Code) || nodes[n.Code] {
			bad(key+".code", "phải là mã tiêu chí không trùng như I.1, nhận được %q (must be a unique criterion code)", n.Code)
		}
		if p := parentCode(n.Code); p != "" && !nodes[p] {
			bad(key+".code", "tiêu chí cha %s phải được liệt kê trước %s (parent %s must be listed before %s)", p, n.Code, p, n.Code)
		}
		nodes[n.Code] = true
		if n.Name == "" {
			bad(key+".name", "bắt buộc: tên tiêu chí (required)")
		}
		if n.Max < 0 {
			bad(key+".max", "không được âm (must not be negative)")
		}
	}
	if len(m.Tiers) == 0 {
		bad("tiers", "cần ít nhất một mức xếp loại (at least one tier)")
	}
	for i, t := range m.Tiers {
		if t.Name == "" {
			bad(fmt.Sprintf("tiers[%d].name", i), "bắt buộc: tên mức xếp loại (required)")
		}
		if i > 0 && t.Min >= m.Tiers[i-1].Min {
			bad(fmt.Sprintf("tiers[%d].min", i), "các mức xếp loại phải liệt kê theo min từ cao xuống thấp (tiers must be listed from the highest min down)")
		}
	}
	return errors.Join(errs...)
}

// parentCode is the path code of a node's parent, "" for a field.
func parentCode(c string) string {
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		return c[:i]
	}
	return ""
}

// PublishedDecimals resolves the decimals of PAR publications: the
// config's par.decimals when set (configured ≥ 0), else the methodology's
// decimals, else 2.
func (m *PARMethodology) PublishedDecimals(configured int) *int {
	d := 2
	switch {
	case configured >= 0:
		d = configured
	case m != nil && m.Decimals != nil:
		d = *m.Decimals
	}
	return &d
}
