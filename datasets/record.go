package datasets

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Reader returns the parsed rows as a record stream of the dataset's stage
// schema, for the warehouse's stage. A value of the wrong Go type for its
// column is an error (a bug of the parser), not a panic.
func (d *Dataset) Reader(rows [][]any) (array.RecordReader, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, d.Stage)
	defer b.Release()
	for ri, r := range rows {
		if len(r) != d.Stage.NumFields() {
			return nil, fmt.Errorf("dataset %s: row %d has %d values for %d columns", d.Name, ri, len(r), d.Stage.NumFields())
		}
		for i, v := range r {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			ok := true
			switch fb := fb.(type) {
			case *array.StringBuilder:
				s, k := v.(string)
				ok = k
				fb.Append(s)
			case *array.Float64Builder:
				f, k := v.(float64)
				ok = k
				fb.Append(f)
			case *array.Int64Builder:
				n, k := v.(int64)
				ok = k
				fb.Append(n)
			case *array.Int32Builder:
				n, k := v.(int32)
				ok = k
				fb.Append(n)
			case *array.BooleanBuilder:
				t, k := v.(bool)
				ok = k
				fb.Append(t)
			default:
				ok = false
			}
			if !ok {
				return nil, fmt.Errorf("dataset %s: column %s: value of type %T", d.Name, d.Stage.Field(i).Name, v)
			}
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	return array.NewRecordReader(d.Stage, []arrow.Record{rec})
}
