package samplegen

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"github.com/cchc/cchc/vnenc"
)

// encodeCSV renders a delimited text export and encodes it as the layout
// says. Values never contain line breaks, so record i (0-based) starts on
// physical line i+2, the header being line 1.
func encodeCSV(lay layout, nfd bool, cols []column, rows []*row) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = lay.comma
	w.UseCRLF = lay.crlf
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.header
	}
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	for _, r := range rows {
		for i, c := range r.cells {
			rec[i] = c.text()
			if strings.ContainsAny(rec[i], "\r\n") {
				return nil, fmt.Errorf("samplegen: line break in value %q", rec[i])
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	text := b.Bytes()
	if nfd {
		text = norm.NFD.Bytes(text)
	}
	return encodeText(lay.encoding, lay.bom, text)
}

// encodeText encodes UTF-8 text into one of the encodings exports use.
func encodeText(encoding string, bom bool, text []byte) ([]byte, error) {
	switch encoding {
	case "utf-8":
		if bom {
			return append([]byte("\uFEFF"), text...), nil
		}
		return text, nil
	case "utf-16le":
		// Excel's "Unicode text" is UTF-16LE with a byte order mark.
		enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
		return enc.Bytes(text)
	case "tcvn3":
		// The legacy "ABC" font encoding (TCVN 5712:1993) of old office PCs.
		return vnenc.Encode(vnenc.TCVN3, string(text))
	}
	return nil, fmt.Errorf("samplegen: unknown encoding %q", encoding)
}
