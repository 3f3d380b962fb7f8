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
	return loadYAML[Methodology]("methodology", "built-in default", defaultMethodology, nameOrPath)
}

// validator is a methodology that checks itself once decoded.
type validator[T any] interface {
	*T
	validate() error
}

// loadYAML decodes a methodology of kind ("methodology", "par
// methodology"): the built-in bytes for "default" (or ""), else the YAML
// file at nameOrPath. Unknown keys are errors, and so is anything validate
// rejects; every error names the file (or builtin) and the key.
func loadYAML[T any, PT validator[T]](kind, builtin string, raw []byte, nameOrPath string) (*T, error) {
	src := builtin
	if nameOrPath != "" && nameOrPath != "default" {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, nameOrPath, err)
		}
		src, raw = nameOrPath, b
	}
	var m T
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, src, err)
	}
	if err := PT(&m).validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, src, err)
	}
	return &m, nil
}

func (m *Methodology) validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if !code.MatchString(m.Name) {
		bad("name", "required, letters, digits and _ (got %q)", m.Name)
	}
	if m.Version == "" {
		bad("version", "required: every score row records it")
	}
	if len(m.Groups) == 0 {
		bad("groups", "at least one group")
	}
	seen := map[string]bool{}
	for i, g := range m.Groups {
		key := fmt.Sprintf("groups[%d]", i)
		if !code.MatchString(g.Code) || seen[g.Code] {
			bad(key+".code", "must be a unique code, got %q", g.Code)
		}
		seen[g.Code] = true
		if g.Max <= 0 {
			bad(key+".max", "must be positive")
		}
		if g.NameVI == "" {
			bad(key+".name_vi", "required")
		}
		if g.NameEN == "" {
			m.Groups[i].NameEN = g.NameVI
		}
		sum := 0.0
		for j, ind := range g.Indicators {
			ik := fmt.Sprintf("%s.indicators[%d]", key, j)
			if !code.MatchString(ind.Code) || seen["i:"+ind.Code] {
				bad(ik+".code", "must be a unique code, got %q", ind.Code)
			}
			seen["i:"+ind.Code] = true
			if strings.TrimSpace(ind.Numerator) == "" || strings.TrimSpace(ind.Denominator) == "" {
				bad(ik, "numerator and denominator are required")
			}
			for _, e := range []string{ind.Numerator, ind.Denominator, ind.Rate} {
				if strings.Contains(e, ";") {
					bad(ik, "an expression may not contain ';'")
				}
			}
			if ind.Threshold <= 0 || ind.Threshold > 1 {
				bad(ik+".threshold", "must be a rate in (0, 1], got %v", ind.Threshold)
			}
			if ind.Points <= 0 {
				bad(ik+".points", "must be positive")
			}
			sum += ind.Points
		}
		if len(g.Indicators) == 0 {
			bad(key+".indicators", "at least one indicator")
		} else if math.Abs(sum-g.Max) > 1e-9 {
			bad(key, "indicator points add up to %v but the group max is %v", sum, g.Max)
		}
	}
	for i, t := range m.Tiers {
		if t.Name == "" {
			bad(fmt.Sprintf("tiers[%d].name", i), "required")
		}
		if i > 0 && t.Min >= m.Tiers[i-1].Min {
			bad(fmt.Sprintf("tiers[%d].min", i), "tiers must be listed from the highest min down")
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
