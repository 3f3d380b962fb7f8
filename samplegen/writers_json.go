package samplegen

import (
	"bytes"
	"encoding/json"
)

// encodeJSON writes a JSON array with one object per line (object i,
// 0-based, is record i+1 for the loader) or, with lines set, NDJSON (object
// i on line i+1), keys in column order. Empty values are null in an array
// and left out in NDJSON, as sync logs do, so a reader sees keys appear
// late in the file.
func encodeJSON(cols []column, rows []*row, lines bool) ([]byte, error) {
	var b bytes.Buffer
	if !lines {
		b.WriteString("[\n")
	}
	for ri, r := range rows {
		if !lines {
			b.WriteString("  ")
		}
		b.WriteByte('{')
		first := true
		for i, c := range cols {
			v := r.cells[i]
			if v.kind == cNull && lines {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			if err := writeJSONString(&b, c.header); err != nil {
				return nil, err
			}
			b.WriteByte(':')
			switch v.kind {
			case cNull:
				b.WriteString("null")
			case cNum, cBool:
				b.WriteString(v.s)
			default:
				if err := writeJSONString(&b, v.s); err != nil {
					return nil, err
				}
			}
		}
		b.WriteByte('}')
		if !lines && ri < len(rows)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	if !lines {
		b.WriteString("]\n")
	}
	return b.Bytes(), nil
}

// writeJSONString writes s as a JSON string without HTML escaping ("Sở
// KH&ĐT" stays readable).
func writeJSONString(b *bytes.Buffer, s string) error {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
	return nil
}
