package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Open decodes the export file at path into a RawReader.
//
// opts.Format "auto" (or "") chooses the decoder by extension (.csv .txt
// .tsv: csv; .xlsx .xlsm: xlsx; .json .ndjson .jsonl: json) and otherwise by
// content (a zip archive: xlsx; starting with [ or {: json; else csv).
// Errors name the file and say, in terms a clerk can act on, why it cannot
// be read. The caller closes the reader, which closes the file.
func Open(path string, opts DecodeOptions) (RawReader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("file %s: is a folder, not a file", path)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("file %s: the file is empty", path)
	}
	format := strings.ToLower(strings.TrimSpace(opts.Format))
	if format == "" || format == "auto" {
		var err error
		if format, err = detectFormat(path); err != nil {
			return nil, err
		}
	}
	switch format {
	case "csv":
		return openCSV(path, opts)
	case "xlsx":
		if err := checkNotLegacyExcel(path); err != nil {
			return nil, err
		}
		return openXLSX(path, opts)
	case "json":
		return openJSON(path, opts)
	}
	return nil, fmt.Errorf("file %s: unknown format %q (want auto, csv, xlsx or json)", path, opts.Format)
}

// detectFormat chooses the decoder for path by its extension, then by its
// first bytes.
func detectFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return "csv", nil
	case ".xlsx", ".xlsm":
		return "xlsx", nil
	case ".json", ".ndjson", ".jsonl":
		return "json", nil
	}
	head, err := readHead(path, 512)
	if err != nil {
		return "", err
	}
	return sniffFormat(path, head)
}

// sniffFormat recognises a format from the first bytes of a file.
func sniffFormat(path string, head []byte) (string, error) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "xlsx", nil
	case bytes.HasPrefix(head, oleMagic):
		return "", legacyExcelError(path)
	}
	switch firstTextByte(head) {
	case '[', '{':
		return "json", nil
	case '<':
		return "", fmt.Errorf("file %s: looks like an HTML or XML document, not a CSV, XLSX or JSON export; "+
			"open it in Excel and save it as .xlsx", path)
	}
	return "csv", nil
}

// firstTextByte returns the first non-space character of head, read as
// UTF-8 (after a BOM) or UTF-16 (after its BOM), or 0.
func firstTextByte(head []byte) byte {
	step, off := 1, 0
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		off = 3
	case bytes.HasPrefix(head, []byte("\xFF\xFE")):
		step, off = 2, 2
	case bytes.HasPrefix(head, []byte("\xFE\xFF")):
		step, off = 2, 3
	}
	for i := off; i < len(head); i += step {
		switch head[i] {
		case ' ', '\t', '\r', '\n', 0:
			continue
		}
		return head[i]
	}
	return 0
}

// oleMagic starts an OLE compound file: an Excel 97-2003 .xls workbook, or
// an encrypted (password-protected) .xlsx.
var oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

func checkNotLegacyExcel(path string) error {
	head, err := readHead(path, len(oleMagic))
	if err != nil {
		return err
	}
	if bytes.HasPrefix(head, oleMagic) {
		return legacyExcelError(path)
	}
	return nil
}

func legacyExcelError(path string) error {
	return fmt.Errorf("file %s: is an Excel 97-2003 (.xls) or password-protected workbook, which cannot be read; "+
		"open it in Excel and save it as .xlsx without a password", path)
}

// readHead returns up to n first bytes of the file.
func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("file %s: %w", path, err)
	}
	return buf[:k], nil
}

// fileError names the file once: an *fs.PathError already carries the path,
// so only its operation and cause are kept.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("file %s: %s: %w", path, pe.Op, pe.Err)
	}
	return fmt.Errorf("file %s: %w", path, err)
}
