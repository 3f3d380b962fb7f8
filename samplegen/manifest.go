package samplegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Manifest describes a demo set exactly, computed from the rows written. It
// is what end-to-end tests assert against.
type Manifest struct {
	Generator string         `json:"generator"`
	Seed      uint64         `json:"seed"`
	Dossiers  int            `json:"dossiers_requested"`
	Files     []FileManifest `json:"files"` // in load order: modified_at, then path
	Totals    Totals         `json:"totals"`
	// Units gives, per unit_code, what the warehouse holds after loading
	// every file: the latest version of each dossier (files in load order,
	// later rows of a file over earlier ones), resolved to the unit that
	// received it (no successor mapping).
	Units map[string]UnitExpect `json:"units"`
	// Status counts the canonical status of every dossier's latest version.
	Status map[string]int `json:"status"`
	// PAR lists the CCHC-index input files (not in Files or Totals) and
	// the scores they must give.
	PAR *PARManifest `json:"par"`
	PII PII          `json:"pii"`
}

// FileManifest describes one export file.
type FileManifest struct {
	Path       string `json:"path"` // relative to the demo folder, forward slashes
	Source     string `json:"source"`
	Format     string `json:"format"`              // csv, xlsx, json (array) or ndjson
	Encoding   string `json:"encoding,omitempty"`  // csv, json: utf-8, utf-16le or tcvn3
	BOM        bool   `json:"bom,omitempty"`       // a byte order mark starts the file
	Delimiter  string `json:"delimiter,omitempty"` // csv
	Sheet      string `json:"sheet,omitempty"`     // xlsx: the data sheet
	Normalized string `json:"unicode,omitempty"`   // NFD when the text is decomposed
	// HeaderRows are the rows holding the header: CSV line 1; XLSX Excel
	// rows (two for a merged two-row header, below any title block); none
	// for JSON.
	HeaderRows   []int  `json:"header_rows,omitempty"`
	FirstDataRow int    `json:"first_data_row"` // row number of the first record, as the loader counts it
	ModifiedAt   string `json:"modified_at"`    // RFC 3339, the file's mtime
	SHA256       string `json:"sha256"`
	Size         int    `json:"size"`
	// Rows counts the data rows written (bad rows and duplicates included;
	// header and title rows excluded).
	Rows    int      `json:"rows"`
	BadRows []BadRow `json:"bad_rows"`
	// Duplicates counts valid rows followed by a later row with the same
	// dossier code in the same file (the loader quarantines them as
	// duplicate_in_file and keeps the last).
	Duplicates int `json:"duplicates"`
	// Repeated counts distinct valid dossier codes of the file that an
	// earlier file of the source already delivered (redeliveries); New
	// counts the others. Rows = bad + duplicates + repeated + new.
	Repeated int `json:"repeated"`
	New      int `json:"new"`
}

// BadRow is a row the loader must quarantine.
type BadRow struct {
	// Row is the row number as the loader counts it: CSV physical line
	// where the record starts (header = line 1), XLSX Excel row, JSON array
	// 1-based object index, NDJSON 1-based line.
	Row    int    `json:"row"`
	Column string `json:"column"` // canonical column at fault
	// Kind is missing, unparseable_date, unknown_unit, due_before_received,
	// finished_before_received or unknown_status.
	Kind  string `json:"kind"`
	Value string `json:"value"` // the text written in that cell ("" when missing)
}

// Totals sum the files. DistinctDossiers is the number of rows the
// dossiers table holds after loading everything.
type Totals struct {
	Files            int `json:"files"`
	Rows             int `json:"rows"`
	BadRows          int `json:"bad_rows"`
	Duplicates       int `json:"duplicates"`
	Repeated         int `json:"repeated"`
	DistinctDossiers int `json:"distinct_dossiers"`
}

// UnitExpect is what the warehouse should hold for one unit.
type UnitExpect struct {
	Name            string         `json:"name"`
	Level           string         `json:"level"`
	Dossiers        int            `json:"dossiers"`
	Status          map[string]int `json:"status"`
	Channel         map[string]int `json:"channel"`
	ReceivedByMonth map[string]int `json:"received_by_month"` // YYYY-MM of received_at
}

// PII lists the personal data planted in the exports, in NFC. All CCCD
// numbers and phone numbers are listed (each is unique to one applicant);
// e-mail addresses, names and addresses are an evenly spread subset of 250
// each. None may appear in the warehouse.
type PII struct {
	CCCD      []string `json:"cccd"`
	Phones    []string `json:"phones"`
	Emails    []string `json:"emails"`
	Names     []string `json:"names"`
	Addresses []string `json:"addresses"`
}

// encode writes the manifest indented for reading, except the long PII
// lists, one line each, to keep the file small.
func (m *Manifest) encode() ([]byte, error) {
	type alias Manifest // no methods: plain encoding
	b, err := json.MarshalIndent(struct {
		*alias
		PII json.RawMessage `json:"pii"`
	}{(*alias)(m), []byte(`"@pii@"`)}, "", " ")
	if err != nil {
		return nil, err
	}
	var lists []string
	for _, f := range []struct {
		k  string
		xs []string
	}{{"cccd", m.PII.CCCD}, {"phones", m.PII.Phones}, {"emails", m.PII.Emails}, {"names", m.PII.Names}, {"addresses", m.PII.Addresses}} {
		if f.xs == nil {
			f.xs = []string{}
		}
		x, err := json.Marshal(f.xs)
		if err != nil {
			return nil, err
		}
		lists = append(lists, fmt.Sprintf("  %q: %s", f.k, x))
	}
	out := bytes.Replace(b, []byte(`"@pii@"`), []byte("{\n"+strings.Join(lists, ",\n")+"\n }"), 1)
	return append(out, '\n'), nil
}

// ReadManifest reads a manifest.json written by Demo.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// fileFacts are the parts of a file's manifest entry known once its bytes
// are written.
type fileFacts struct {
	sha256 string
	size   int
}

// manifest computes the manifest of a built set from its rows.
func (set *demoSet) manifest(facts []fileFacts) *Manifest {
	m := &Manifest{Generator: "samplegen", Seed: set.opts.Seed, Dossiers: set.opts.Dossiers,
		Units: map[string]UnitExpect{}, Status: map[string]int{}}
	latest := map[string]*row{} // code → latest valid row; looked up only
	var order []string          // codes in first-seen order
	for fi, f := range set.files {
		fm := f.describe()
		fm.SHA256, fm.Size = facts[fi].sha256, facts[fi].size
		_, first := rowLayout(f)
		inFile := map[string]bool{}
		lastRow := map[string]int{}
		for i, r := range f.rows {
			if r.d.bad == nil {
				lastRow[r.d.code] = i
			}
		}
		for i, r := range f.rows {
			if b := r.d.bad; b != nil {
				fm.BadRows = append(fm.BadRows, BadRow{Row: first + i, Column: canonicalName[b.column], Kind: b.kind,
					Value: cellValue(r.cells, f.src.columns, b.column)})
				continue
			}
			if lastRow[r.d.code] != i {
				fm.Duplicates++
				continue
			}
			if inFile[r.d.code] {
				continue
			}
			inFile[r.d.code] = true
			if _, ok := latest[r.d.code]; ok {
				fm.Repeated++
			} else {
				fm.New++
				order = append(order, r.d.code)
			}
			latest[r.d.code] = r
		}
		fm.Rows = len(f.rows)
		if fm.BadRows == nil {
			fm.BadRows = []BadRow{}
		}
		m.Files = append(m.Files, fm)
		m.Totals.Files++
		m.Totals.Rows += fm.Rows
		m.Totals.BadRows += len(fm.BadRows)
		m.Totals.Duplicates += fm.Duplicates
		m.Totals.Repeated += fm.Repeated
		m.Totals.DistinctDossiers += fm.New
	}
	for _, u := range set.units {
		m.Units[u.Code] = UnitExpect{Name: u.Name, Level: u.Level, Status: map[string]int{},
			Channel: map[string]int{}, ReceivedByMonth: map[string]int{}}
	}
	for _, code := range order {
		r := latest[code]
		ue := m.Units[r.d.unit.Code]
		ue.Dossiers++
		ue.Status[r.s.status.String()]++
		ue.Channel[r.d.channel]++
		ue.ReceivedByMonth[r.d.received.Format("2006-01")]++
		m.Units[r.d.unit.Code] = ue
		m.Status[r.s.status.String()]++
	}
	m.PII = set.pii()
	return m
}

// rowLayout returns the header rows and first data row of a file as the
// loader counts rows.
func rowLayout(f *fileOut) (header []int, first int) {
	switch f.src.layout.kind {
	case kindXLSX:
		return xlsxRows(f.src.layout, f.win)
	case kindCSV:
		return []int{1}, 2
	}
	return nil, 1
}

func (f *fileOut) describe() FileManifest {
	lay := f.src.layout
	header, first := rowLayout(f)
	fm := FileManifest{Path: f.path, Source: f.src.name, HeaderRows: header, FirstDataRow: first,
		ModifiedAt: f.win.export.Format(time.RFC3339)}
	switch lay.kind {
	case kindCSV:
		fm.Format, fm.Encoding, fm.BOM, fm.Delimiter = "csv", lay.encoding, lay.bom, string(lay.comma)
	case kindXLSX:
		fm.Format, fm.Sheet = "xlsx", lay.sheet
	case kindJSON:
		fm.Format, fm.Encoding = "json", "utf-8"
	case kindNDJSON:
		fm.Format, fm.Encoding = "ndjson", "utf-8"
	}
	if f.win.nfd {
		fm.Normalized = "NFD"
	}
	return fm
}

// cellValue is the text of a row's cell in column f, as a reader of the
// file sees it (dates in XLSX date cells as dd/mm/yyyy hh:mm), in NFC.
func cellValue(cells []cell, cols []column, f field) string {
	for i, c := range cols {
		if c.field == f {
			v := cells[i]
			if v.kind == cTime {
				return fmtDMYHM(v.t)
			}
			return norm.NFC.String(v.s)
		}
	}
	return ""
}

// pii collects the personal data written in the files.
func (set *demoSet) pii() PII {
	seen := map[string]bool{}
	var p PII
	var emails, names, addrs []string
	for _, f := range set.files {
		for ci, col := range f.src.columns {
			if col.field < colName || col.field > colEmail {
				continue
			}
			for _, r := range f.rows {
				v := norm.NFC.String(r.cells[ci].s)
				if v == "" || seen[v] {
					continue
				}
				seen[v] = true
				switch col.field {
				case colCCCD:
					p.CCCD = append(p.CCCD, v)
				case colPhone:
					p.Phones = append(p.Phones, v)
				case colEmail:
					emails = append(emails, v)
				case colName:
					names = append(names, v)
				case colAddress:
					addrs = append(addrs, v)
				}
			}
		}
	}
	for _, xs := range [][]string{p.CCCD, p.Phones, emails, names, addrs} {
		sort.Strings(xs)
	}
	p.Emails, p.Names, p.Addresses = spread(emails, 250), spread(names, 250), spread(addrs, 250)
	return p
}

// spread picks n evenly spaced values of a sorted list (all when fewer).
func spread(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	out := make([]string, n)
	for i := range out {
		out[i] = xs[i*len(xs)/n]
	}
	return out
}
