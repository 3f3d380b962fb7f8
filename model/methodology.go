// Package model builds the warehouse's model tables from dossiers: the
// reporting periods, the official handling statistics (form II.06a), the
// indicator values and the ranked index scores of a methodology.
package model

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultMethodology []byte

// Methodology is a scoring scheme as data (docs/methodology.md).
type Methodology struct {
	Name    string  `yaml:"name"`
	Version string  `yaml:"version"`
	TitleVI string  `yaml:"title_vi"`
	TitleEN string  `yaml:"title_en"`
	Groups  []Group `yaml:"groups"`
	Tiers   []Tier  `yaml:"tiers"`
}

// Group is an indicator group with its maximum points.
type Group struct {
	Code       string      `yaml:"code"`
	NameVI     string      `yaml:"name_vi"`
	NameEN     string      `yaml:"name_en"`
	Max        float64     `yaml:"max"`
	Indicators []Indicator `yaml:"indicators"`
}

// Indicator is one scored rate; numerator, denominator and the optional
// rate are SQL aggregate expressions over the view dossier_outcomes.
type Indicator struct {
	Code        string  `yaml:"code"`
	NameVI      string  `yaml:"name_vi"`
	Numerator   string  `yaml:"numerator"`
	Denominator string  `yaml:"denominator"`
	Rate        string  `yaml:"rate"`
	Threshold   float64 `yaml:"threshold"`
	Points      float64 `yaml:"points"`
}

// Tier names a score band; tiers are matched from the highest min down.
type Tier struct {
	Name string  `yaml:"name"`
	Min  float64 `yaml:"min"`
}

var code = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// LoadMethodology returns the built-in methodology for "default", else
// reads the YAML file at nameOrPath. Errors name the file and the key.
func LoadMethodology(nameOrPath string) (*Methodology, error) {
	return loadYAML[Methodology]("phương pháp", "có sẵn (default)", defaultMethodology, nameOrPath)
}

// validator is a methodology that checks itself once decoded.
type validator[T any] interface {
	*T
	validate() error
}

// loadYAML decodes a methodology of kind ("phương pháp", "phương pháp
// PAR", as the messages name it): the built-in bytes for "default" (or ""), else the YAML
// file at nameOrPath. Unknown keys are errors, and so is anything validate
// rejects; every error names the file (or builtin) and the key.
func loadYAML[T any, PT validator[T]](kind, builtin string, raw []byte, nameOrPath string) (*T, error) {
	src := builtin
	if nameOrPath != "" && nameOrPath != "default" {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("%s %s: không đọc được tệp; kiểm tra đường dẫn trong cấu hình (%w)", kind, nameOrPath, err)
		}
		src, raw = nameOrPath, b
	}
	var m T
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s %s: YAML sai cú pháp, hoặc có khóa không có trong phương pháp (tên khóa gõ sai); sửa ở dòng được nêu (%w)", kind, src, err)
	}
	if err := PT(&m).validate(); err != nil {
		// Each problem on its own line names the file: a person reads
		// the last lines of a long list too.
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		var es []error
		for _, e := range errs {
			es = append(es, fmt.Errorf("%s %s: %w", kind, src, e))
		}
		return nil, errors.Join(es...)
	}
	return &m, nil
}

func (m *Methodology) validate() error {
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
	if len(m.Groups) == 0 {
		bad("groups", "cần ít nhất một nhóm (at least one group)")
	}
	seen := map[string]bool{}
	for i, g := range m.Groups {
		key := fmt.Sprintf("groups[%d]", i)
		if !code.MatchString(g.Code) || seen[g.Code] {
			bad(key+".code", "phải là mã không trùng, gồm chữ cái không dấu, chữ số và _, nhận được %q (must be a unique code)", g.Code)
		}
		seen[g.Code] = true
		if g.Max <= 0 {
			bad(key+".max", "phải là số dương (must be positive)")
		}
		if g.NameVI == "" {
			bad(key+".name_vi", "bắt buộc: tên nhóm bằng tiếng Việt (required)")
		}
		if g.NameEN == "" {
			m.Groups[i].NameEN = g.NameVI
		}
		sum := 0.0
		for j, ind := range g.Indicators {
			ik := fmt.Sprintf("%s.indicators[%d]", key, j)
			if !code.MatchString(ind.Code) || seen["i:"+ind.Code] {
				bad(ik+".code", "phải là mã không trùng, gồm chữ cái không dấu, chữ số và _, nhận được %q (must be a unique code)", ind.Code)
			}
			seen["i:"+ind.Code] = true
			if strings.TrimSpace(ind.Numerator) == "" || strings.TrimSpace(ind.Denominator) == "" {
				bad(ik, "cần cả numerator (tử số) và denominator (mẫu số) (numerator and denominator are required)")
			}
			for _, e := range []string{ind.Numerator, ind.Denominator, ind.Rate} {
				if strings.Contains(e, ";") {
					bad(ik, "biểu thức không được chứa dấu ';' (an expression may not contain ';')")
				}
			}
			if ind.Threshold <= 0 || ind.Threshold > 1 {
				bad(ik+".threshold", "phải là tỉ lệ lớn hơn 0 và không quá 1 (ví dụ 0.8 cho 80%%), nhận được %v", ind.Threshold)
			}
			if ind.Points <= 0 {
				bad(ik+".points", "phải là số dương (must be positive)")
			}
			sum += ind.Points
		}
		if len(g.Indicators) == 0 {
			bad(key+".indicators", "cần ít nhất một chỉ tiêu (at least one indicator)")
		} else if math.Abs(sum-g.Max) > 1e-9 {
			bad(key, "tổng points của các chỉ tiêu là %v nhưng max của nhóm là %v; sửa cho khớp (indicator points add up to %v but the group max is %v)", sum, g.Max, sum, g.Max)
		}
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

// MaxTotal is the sum of the group maxima (100 for the default).
func (m *Methodology) MaxTotal() float64 {
	t := 0.0
	for _, g := range m.Groups {
		t += g.Max
	}
	return t
}

// canonicalInputs are the dossier columns an indicator may leave unknown:
// the optional ones an export may lack (channel is not: a missing channel
// means direct, as the contract says).
var canonicalInputs = []string{"due_at", "finished_at", "returned_at", "status", "supplement_requests",
	"supplement_days", "online_level", "fee_required", "paid_online", "synced_national", "digitized_dossier",
	"digitized_result", "reused_data", "rating", "procedure_code", "procedure_name", "field"}

var wordRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// IndicatorsReading lists the codes of the indicators whose numerator,
// denominator or rate expression names the dossier column col.
func (m *Methodology) IndicatorsReading(col string) []string {
	var out []string
	for _, g := range m.Groups {
		for _, ind := range g.Indicators {
			for _, w := range wordRe.FindAllString(ind.Numerator+" "+ind.Denominator+" "+ind.Rate, -1) {
				if w == col {
					out = append(out, ind.Code)
					break
				}
			}
		}
	}
	return out
}

// Inputs lists the optional dossier columns some indicator of m reads.
func (m *Methodology) Inputs() []string {
	var out []string
	for _, c := range canonicalInputs {
		if len(m.IndicatorsReading(c)) > 0 {
			out = append(out, c)
		}
	}
	return out
}
