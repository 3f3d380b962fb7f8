package datasets

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
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

// A direct dataset must end its stage schema with the columns its table
// has not (DirectExcluded): the direct insert leaves them out, and
// go-duckdb's Arrow view misreads any projection but the first columns.
func TestRegisterDirectExcludedLast(t *testing.T) {
	extra := arrow.Field{Name: "note", Type: arrow.BinaryTypes.String}
	for _, tc := range []struct {
		name   string
		fields []arrow.Field
		ok     bool
	}{
		{"tail last", append([]arrow.Field{extra}, Tail...), true},
		{"a column after the tail", append(slices.Clone(Tail), extra), false},
		{"no tail", []arrow.Field{extra}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Register(&Dataset{Name: "test_excluded", Stage: arrow.NewSchema(tc.fields, nil), Key: []string{"note"},
				Merge: "-- none", DirectMerge: "-- none", Direct: true, Tables: []string{"test_excluded"}})
			if err == nil {
				Unregister(d.Name)
			}
			if (err == nil) != tc.ok {
				t.Fatalf("Register: %v, want ok %v", err, tc.ok)
			}
		})
	}
}
