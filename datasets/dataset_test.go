package datasets

import (
	"slices"
	"strings"
	"testing"
)

// The built-in datasets are registered (config accepts the registered
// names), and every dataset has merge SQL
// that leaves its current table (or view) and a stage schema ending with
// the shared tail.
func TestRegistry(t *testing.T) {
	var names []string
	for _, d := range All() {
		names = append(names, d.Name)
		if !strings.Contains(d.Merge, "TEMP TABLE "+d.CurrentTable()) && !strings.Contains(d.Merge, "TEMP VIEW "+d.CurrentTable()) {
			t.Errorf("%s: merge SQL does not create %s", d.Name, d.CurrentTable())
		}
		n := d.Stage.NumFields()
		for i, f := range Tail {
			if d.Stage.Field(n-len(Tail)+i).Name != f.Name {
				t.Errorf("%s: stage column %d is %s, want %s", d.Name, n-len(Tail)+i, d.Stage.Field(n-len(Tail)+i).Name, f.Name)
			}
		}
		for _, k := range d.Key {
			if _, ok := d.Stage.FieldsByName(k); !ok {
				t.Errorf("%s: key %s is not a stage column", d.Name, k)
			}
		}
		if len(d.Tables) == 0 {
			t.Errorf("%s: no tables", d.Name)
		}
	}
	if want := []string{"dossiers", "par_adjustments", "par_appraisal", "par_survey"}; !slices.Equal(names, want) {
		t.Errorf("datasets %v, want %v", names, want)
	}
	if _, err := ByName("nope"); err == nil {
		t.Error("unknown dataset accepted")
	}
}
