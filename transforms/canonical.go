package transforms

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cchc/cchc/internal/arrowtext"

	"github.com/cchc/cchc/pii"
	"github.com/cchc/cchc/vnenc"
)

// ErrNoDossierCode rejects a whole file: without a dossier code column no
// row can be identified.
var ErrNoDossierCode = errors.New("không có cột mã hồ sơ: dòng tiêu đề cần một cột như Mã hồ sơ, Số hồ sơ, MaHoSo hoặc dossierNo; " +
	"kiểm tra đúng tệp xuất và dòng tiêu đề, hoặc khai báo cột trong columns: của nguồn (no dossier code column)")

// UnitResolver maps a unit reference (code, name or alias) to a unit code.
type UnitResolver interface {
	Resolve(raw string) (code string, ok bool)
}

// DatedUnitResolver is a UnitResolver whose names and aliases may mean
// different units at different times (units.Registry: the commune
// dissolved by a merger and the new one formed under its name). A
// dossier's unit is then the one bearing the name on its day of receipt.
type DatedUnitResolver interface {
	UnitResolver
	// ResolveDated returns, for a name or alias several units bore at
	// different times, the function giving the unit it meant at a
	// wall-clock time (false: several units, the registry cannot tell);
	// nil for any other reference, which Resolve resolves whatever the
	// date.
	ResolveDated(raw string) func(at time.Time) (code string, ok bool)
}

// UnitValidity is a UnitResolver that knows the day each unit was formed
// (units.Registry: valid_from). A dossier received before its unit's
// valid_from is quarantined (CodeBeforeUnitValidFrom): it would be counted
// in form II.06a under a unit that did not exist yet and ranked nowhere.
type UnitValidity interface {
	UnitResolver
	// ValidFrom returns the first day unit code exists (a naive date at
	// 00:00); false when the registry gives none (the unit always existed)
	// or does not know the code.
	ValidFrom(code string) (time.Time, bool)
}

// MapOptions are the plain parameters of a file's transform.
type MapOptions struct {
	Units       UnitResolver
	DefaultUnit string // used when a row carries no unit; may be empty
	Source      string
	File        string // path as recorded in provenance
	SHA256      string
	FileSeq     int32 // load order of the file within the run
	Mem         memory.Allocator
	// Columns are the source's own header spellings (config columns:),
	// consulted before the built-in dictionary.
	Columns Overrides
	// Now is the run's date (naive local wall-clock time); dates of receipt,
	// finish and return after Now + FutureTolerance are refused. Zero
	// disables the check.
	Now             time.Time
	FutureTolerance time.Duration
	// Date1904: the file is a workbook saved with Excel's 1904 date
	// system (sources.DateSystem), whose serial dates are read 1462 days
	// later than the 1900 system's.
	Date1904 bool
}

// Mapping reports how a file's header was understood.
type Mapping struct {
	Columns  map[string]string // raw header → canonical name
	Dropped  []string          // personal-data headers dropped
	Ignored  []string          // headers mapping to a canonical column already taken
	Unmapped []string          // headers not recognised (not loaded)
	Legacy   string            // legacy font encoding repaired in text cells, if any
	// Missing are the canonical columns (schema order) no header maps to:
	// their values stay NULL, unknown, never false or 0.
	Missing []string
}

// RowError is one rejected row: it goes to quarantine. Raw and Reason are
// masked for personal data (see maskCell), so a RowError can be stored,
// logged and printed as it is.
type RowError struct {
	Row    int64  // row number in the file, as Excel shows it (JSON: item number)
	Column string // header as written in the file (a column the file lacks: its Vietnamese name)
	Raw    string // raw value, masked
	Reason string // what is wrong and what to do, in Vietnamese, for a clerk
	Code   string // stable English reason code for analysts (Code* constants)
}

// Mapper turns raw-string records of one file into stage records. Build one
// per file with NewMapper; it is not safe for concurrent use.
type Mapper struct {
	opts   MapOptions
	header []string
	// validity is opts.Units when it knows the units' valid_from.
	validity UnitValidity
	col      [numCanonical]int // raw column index per canonical field, -1 if absent
	mapping  Mapping
	legacy   vnenc.Encoding
	sampled  bool
	b        *array.RecordBuilder         // the columns that are not text (texts: txt)
	txt      [numStage]*arrowtext.Builder // the text columns but provenance, nil for others
	ts       [4]*array.TimestampBuilder   // received, due, finished, returned
	bools    [6]*array.BooleanBuilder     // boolFields
	memo     [numCanonical]map[string]memoVal
	front    [numCanonical]memoFront // in front of memo: see cached
	masked   int64                   // cells stored masked (see Masked)
	// Text bytes per row of each stage column in the last batch: a batch's
	// buffers are reserved at once from them, instead of growing by
	// doubling (copying each buffer about log2(rows) times per batch).
	dataPerRow [numStage]float64
	prov       provenance // constant columns, shared by the batches
}

// memoVal is a cached parse of a repeated cell value. Statuses, channels,
// units, procedure names and flags repeat across millions of rows, and
// folding them for matching is most of the transform's cost otherwise.
type memoVal struct {
	key    string // the map's own copy of the cell value (see memoFront)
	set    bool   // an entry of the memo (a slot of memoFront in use)
	s      string
	b      int8
	err    error
	masked bool // s is the text masked for personal data
	// at resolves a unit name several units bore over time by the day of
	// receipt (DatedUnitResolver); s is empty then.
	at func(time.Time) (string, bool)
}

// memoLimit bounds each field's cache so a column of unique values cannot
// grow memory with the input.
const memoLimit = 4096

// memoFront holds, in front of a field's map, the entries of a column with
// few distinct values (flags, statuses, channels: up to frontSize), found
// by comparing strings, and for a column with more (units, procedures) a
// direct-mapped table of the values last seen, indexed by a cheap hash of
// a few of their bytes: both find a value without the map's full hash
// and probe. Their strings are the map's own copies.
type memoFront struct {
	keys [frontSize]string
	vals [frontSize]memoVal
	n    int // entries in keys and vals; -1 once the column had more
	last int // index of the last hit in keys
	// slots is the table of a column past frontSize values (n == -1).
	slots *[frontSlots]memoVal
}

// frontSize is how many distinct values of a column are compared one by
// one before the map is used: comparing a handful of short strings (most
// differ in length) is cheaper than hashing one.
const frontSize = 16

// frontSlots is the size of the direct-mapped table (a power of two).
const frontSlots = 1024

// slot picks v's entry in the direct-mapped table: its length and four of
// its bytes, enough to tell apart the codes and names of a column.
func slot(v string) int {
	n := len(v)
	h := uint(n)
	if n > 0 {
		h = h*31 + uint(v[0])
		h = h*31 + uint(v[n-1])
		h = h*31 + uint(v[n/2])
		h = h*31 + uint(v[n-1-n/4])
	}
	return int((h ^ h>>10) & (frontSlots - 1))
}

// cached returns the memoised result of parse for cell value v of field f.
// The result is the same as parse(v) whatever the caches hold: parse is a
// pure function of v.
func (m *Mapper) cached(f int, v string, parse func(string) memoVal) memoVal {
	fr := &m.front[f]
	var sl *memoVal
	if fr.n >= 0 {
		if l := fr.last; l < fr.n && fr.keys[l] == v {
			return fr.vals[l]
		}
		for i := 0; i < fr.n; i++ {
			if fr.keys[i] == v {
				fr.last = i
				return fr.vals[i]
			}
		}
	} else {
		sl = &fr.slots[slot(v)]
		if sl.set && sl.key == v {
			return *sl
		}
	}
	c := m.memo[f]
	if c == nil {
		c = make(map[string]memoVal)
		m.memo[f] = c
	}
	if mv, ok := c[v]; ok {
		if sl != nil {
			*sl = mv
		}
		return mv
	}
	mv := parse(v)
	if len(c) < memoLimit {
		// Both strings copied: v, and often the parsed text (NFC of a
		// cell already in NFC is the cell itself), point into the batch's
		// Arrow buffer, which a kept entry would pin for the whole file.
		mv.s = strings.Clone(mv.s)
		mv.key, mv.set = strings.Clone(v), true
		c[mv.key] = mv
		switch {
		case fr.n >= 0 && fr.n < frontSize:
			fr.keys[fr.n], fr.vals[fr.n] = mv.key, mv
			fr.last = fr.n
			fr.n++
		case fr.n >= 0:
			*fr = memoFront{n: -1, slots: new([frontSlots]memoVal)}
			sl = &fr.slots[slot(v)]
			fallthrough
		default:
			*sl = mv
		}
	}
	return mv
}

// NewMapper plans the mapping of header. It fails with ErrNoDossierCode
// (wrapped) when no column holds the dossier code.
func NewMapper(header []string, opts MapOptions) (*Mapper, error) {
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	m := &Mapper{opts: opts, legacy: vnenc.UTF8}
	m.validity, _ = opts.Units.(UnitValidity)
	m.plan(header)
	if m.col[FDossierCode] < 0 {
		return nil, ErrNoDossierCode
	}
	m.b = array.NewRecordBuilder(opts.Mem, StageSchema)
	for f := range numStage {
		switch f {
		case FSource, FSourceFile, FFileSHA256:
			continue // built once per file (record)
		}
		if StageSchema.Field(f).Type.ID() == arrow.STRING {
			m.txt[f] = arrowtext.New(opts.Mem)
		}
	}
	for k := range m.ts {
		m.ts[k] = m.b.Field(FReceivedAt + k).(*array.TimestampBuilder)
	}
	for k, f := range boolFields {
		m.bools[k] = m.b.Field(f).(*array.BooleanBuilder)
	}
	return m, nil
}

// SetSHA256 sets the file hash of the provenance of the rows Apply maps
// from now on: a caller hashing the file while it is decoded sets it
// before the first Apply.
func (m *Mapper) SetSHA256(sha string) {
	if sha != m.opts.SHA256 {
		m.opts.SHA256 = sha
		m.prov.release()
	}
}

// Mapping returns how the header was mapped so far.
func (m *Mapper) Mapping() Mapping { return m.mapping }

// Masked returns how many cells of the file so far were stored masked for
// personal data: free-text cells of loaded rows (procedure name and code,
// field) and cells of quarantined rows' raw_record (which include the
// raw_value). See package pii for the rules.
func (m *Mapper) Masked() int64 { return m.masked }

// Release frees the mapper's builders.
func (m *Mapper) Release() {
	m.prov.release()
	if m.b != nil {
		m.b.Release()
		m.b = nil
	}
	for _, c := range m.txt {
		if c != nil {
			c.Release()
		}
	}
}

func (m *Mapper) plan(header []string) {
	m.header = header
	for i := range m.col {
		m.col[i] = -1
	}
	mp := Mapping{Columns: map[string]string{}}
	for i, h := range header {
		canon, ok := m.opts.Columns.Lookup(h)
		switch {
		case !ok:
			// Recorded in source_files: masked, in case the header row
			// found is in fact a row of data.
			hm, _ := pii.Mask(h)
			mp.Unmapped = append(mp.Unmapped, hm)
		case canon == PersonalData:
			mp.Dropped = append(mp.Dropped, h)
		default:
			idx := canonicalIndex[canon]
			if m.col[idx] >= 0 {
				mp.Ignored = append(mp.Ignored, h)
				continue
			}
			m.col[idx] = i
			mp.Columns[h] = canon
		}
	}
	for f := 0; f < numCanonical; f++ {
		if m.col[f] < 0 {
			mp.Missing = append(mp.Missing, CanonicalNames[f])
		}
	}
	mp.Legacy = m.mapping.Legacy
	m.mapping = mp
}

// Apply converts one raw record (as sources.RawReader returns it, with
// header the reader's header at the time) into a stage record of the same
// rows: first the valid rows, in the order of the raw record, then the
// rejected ones (q_reason set), in that order too. Each row keeps its own
// source_row, so the file's row numbers stay exact whatever its place in
// the batch. Rejected rows are also returned as RowErrors, in file order.
// The caller releases the result.
//
// Valid rows come first so that a direct load can hand them to DuckDB as
// the slice [0, valid) of the record without copying them: DuckDB misreads
// the booleans of a slice that does not start at offset 0
// (docs/architecture.md), and most large batches hold a bad row.
func (m *Mapper) Apply(header []string, rec arrow.Record) (arrow.Record, []RowError) {
	if len(header) != len(m.header) {
		m.plan(header)
	}
	ncols := int(rec.NumCols()) - 1
	raw := make([]*array.String, ncols)
	for i := 0; i < ncols; i++ {
		raw[i], _ = rec.Column(i).(*array.String)
	}
	rows, _ := rec.Column(ncols).(*array.Int64)
	if !m.sampled {
		m.sample(raw)
	}
	rowOf := func(i int) int64 {
		if rows != nil {
			return rows.Value(i)
		}
		return int64(i + 1)
	}
	var errs []RowError
	var bad []int // raw index of each rejected row, as errs
	r := rowParser{m: m, raw: raw}
	n := int(rec.NumRows())
	m.reserve(n, raw)
	for i := 0; i < n; i++ {
		r.reset(i)
		if e, ok := r.parse(); !ok {
			e.Row = rowOf(i)
			errs = append(errs, e)
			bad = append(bad, i)
		} else {
			m.masked += int64(r.masked)
			m.appendValid(&r)
		}
	}
	for k, i := range bad {
		r.reset(i)
		m.appendRejected(&r, errs[k])
	}
	if n > 0 {
		for f, c := range m.txt {
			if c != nil {
				m.dataPerRow[f] = float64(c.DataLen()) / float64(n)
			}
		}
	}
	var order *array.Int64
	if len(bad) == 0 && rows != nil && rows.Len() == n && rows.NullN() == 0 {
		// Nothing moved: the raw record's row column is the source_row.
		rows.Retain()
		order = rows
	} else {
		order = m.sourceRows(n, bad, rowOf)
	}
	defer order.Release()
	return m.record(n, order), errs
}

// sourceRows is the source_row column of a batch of n rows whose rows at
// the raw indexes bad (ascending) were rejected: the valid rows' numbers,
// then the rejected rows'.
func (m *Mapper) sourceRows(n int, bad []int, rowOf func(int) int64) *array.Int64 {
	b := array.NewInt64Builder(m.opts.Mem)
	defer b.Release()
	b.Reserve(n)
	k := 0
	for i := range n {
		if k < len(bad) && bad[k] == i {
			k++
			continue
		}
		b.UnsafeAppend(rowOf(i))
	}
	for _, i := range bad {
		b.UnsafeAppend(rowOf(i))
	}
	return b.NewInt64Array()
}

// record assembles the batch of n rows: the builders' columns, and the
// provenance. The source, file, hash and file number are the same on every
// row of a file: their columns are built once per file and shared by its
// batches (arrays are immutable); rows is the source_row column (the raw
// record's own row column when no row moved), instead of appending four
// constants per row.
func (m *Mapper) record(n int, rows *array.Int64) arrow.Record {
	if m.prov.n < n {
		m.prov.release()
		m.prov = provenance{n: n,
			source: constString(m.opts.Mem, m.opts.Source, n),
			file:   constString(m.opts.Mem, m.opts.File, n),
			sha:    constString(m.opts.Mem, m.opts.SHA256, n),
			seq:    constInt32(m.opts.Mem, m.opts.FileSeq, n)}
	}
	cols := make([]arrow.Array, numStage)
	for f := range numStage {
		switch f {
		case FSource:
			cols[f] = array.NewSlice(m.prov.source, 0, int64(n))
		case FSourceFile:
			cols[f] = array.NewSlice(m.prov.file, 0, int64(n))
		case FFileSHA256:
			cols[f] = array.NewSlice(m.prov.sha, 0, int64(n))
		case FFileSeq:
			cols[f] = array.NewSlice(m.prov.seq, 0, int64(n))
		case FSourceRow:
			rows.Retain()
			cols[f] = rows
		default:
			if c := m.txt[f]; c != nil {
				cols[f] = c.NewArray()
			} else {
				cols[f] = m.b.Field(f).NewArray()
			}
		}
	}
	rec := array.NewRecord(StageSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// provenance holds a file's constant provenance columns, n rows long.
type provenance struct {
	n                 int
	source, file, sha arrow.Array
	seq               arrow.Array
}

func (p *provenance) release() {
	for _, a := range []arrow.Array{p.source, p.file, p.sha, p.seq} {
		if a != nil {
			a.Release()
		}
	}
	*p = provenance{}
}

// constString is a string column of n copies of s.
func constString(mem memory.Allocator, s string, n int) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	b.ReserveData(len(s) * n)
	for range n {
		b.Append(s)
	}
	return b.NewArray()
}

// constInt32 is an int32 column of n copies of v.
func constInt32(mem memory.Allocator, v int32, n int) arrow.Array {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.Reserve(n)
	for range n {
		b.UnsafeAppend(v)
	}
	return b.NewArray()
}

// reserve sizes the builders for n rows, the text by the last batch's
// bytes per row plus an eighth or, for a file's first batch, by the raw
// column's bytes.
func (m *Mapper) reserve(n int, raw []*array.String) {
	for f := range numStage {
		switch f {
		case FSource, FSourceFile, FSourceRow, FFileSHA256, FFileSeq:
			continue // built once per file (record)
		}
		c := m.txt[f]
		if c == nil {
			m.b.Field(f).Reserve(n)
			continue
		}
		want := int(m.dataPerRow[f]*float64(n)*1.125) + 64
		if m.dataPerRow[f] == 0 && f < numCanonical {
			if c := m.col[f]; c >= 0 && c < len(raw) && raw[c] != nil && raw[c].Len() > 0 {
				want = raw[c].ValueOffset(raw[c].Len()) - raw[c].ValueOffset(0)
			}
		}
		c.Reserve(n, want)
	}
}

// sample decides once per file whether text cells carry a legacy font
// encoding (TCVN3, VNI typed into Excel), looking at the first record.
func (m *Mapper) sample(raw []*array.String) {
	m.sampled = true
	var samples []string
	for _, f := range []int{FProcedureName, FField, FStatus, FUnitCode} {
		c := m.col[f]
		if c < 0 || c >= len(raw) || raw[c] == nil {
			continue
		}
		for i := 0; i < raw[c].Len() && i < 200; i++ {
			if s := raw[c].Value(i); s != "" {
				samples = append(samples, s)
			}
		}
	}
	if enc := vnenc.DetectText(samples); enc == vnenc.TCVN3 || enc == vnenc.VNI {
		m.legacy = enc
		m.mapping.Legacy = enc.String()
	}
}

// rowParser holds one row's parsed values between parse and append.
type rowParser struct {
	m   *Mapper
	raw []*array.String
	i   int

	code, unit, procCode, procName, field, channel, status, online, rating string
	received, due, finished, returned                                      time.Time
	hasDue, hasFinished, hasReturned                                       bool
	suppReq                                                                int64
	hasSuppReq                                                             bool
	suppDays                                                               float64
	hasSuppDays                                                            bool
	bools                                                                  [6]int8                        // -1 absent, 0 false, 1 true
	masked                                                                 int                            // free-text cells masked
	unitAt                                                                 func(time.Time) (string, bool) // a unit name shared over time: resolved by received
}

func (r *rowParser) reset(i int) {
	m := r.m
	*r = rowParser{m: m, raw: r.raw, i: i}
}

// get returns the raw cell of canonical field f ("" when absent).
func (r *rowParser) get(f int) string {
	c := r.m.col[f]
	if c < 0 || c >= len(r.raw) || r.raw[c] == nil {
		return ""
	}
	return r.raw[c].Value(r.i)
}

func (r *rowParser) text(f int) string {
	s := r.get(f)
	if s == "" {
		return ""
	}
	if r.m.legacy != vnenc.UTF8 {
		s = vnenc.FixText(r.m.legacy, s)
	}
	return NFC(s)
}

// freeText is text for loaded free-text fields (procedure name, field):
// masked for personal data, and memoised because the values repeat.
func (r *rowParser) freeText(f int) string {
	v := r.get(f)
	if v == "" {
		return ""
	}
	mv := r.m.cached(f, v, func(string) memoVal {
		s, masked := pii.Mask(r.text(f))
		return memoVal{s: s, masked: masked}
	})
	if mv.masked {
		r.masked++
	}
	return mv.s
}

// vocab parses field f with a vocabulary parser, memoised.
func (r *rowParser) vocab(f int, parse func(string) (string, error)) (string, error) {
	mv := r.m.cached(f, r.get(f), func(v string) memoVal {
		s, err := parse(v)
		return memoVal{s: s, err: err}
	})
	return mv.s, mv.err
}

// fail rejects the row for the cell of field f. The raw value is masked by
// maskCell, and the reason, which may quote the value, the same way.
func (r *rowParser) fail(f int, code, reason string) (RowError, bool) {
	raw := r.get(f)
	masked, changed := r.m.maskCell(f, raw)
	if changed {
		reason = scrubReason(reason, masked, raw, trimValue(raw), NFC(raw), r.text(f))
	}
	reason, _ = pii.MaskShapes(reason)
	return RowError{Column: r.header(f), Raw: strings.Clone(masked), Reason: reason, Code: code}, false
}

// maskCell masks a raw cell of field f for the quarantine table (raw_value
// and raw_record), following package pii: the dossier code as it is when it
// is written as codes are (ASCII letters, digits, . - _ / and spaces, a
// digit among them), else with pii.Mask (the signature block under a
// report's table puts "Nguyễn Thị Hoa" in the code's column); free-text fields with pii.Mask, as when loaded; the unit
// with pii.MaskShapes (unit names hold names of people, and the clerk needs
// the name to add an alias), unless it names no kind of unit (then a name
// in it is a person's, and masked too); a value of a closed-vocabulary field as it is
// when it parses, and with pii.MaskRejected when it does not.
func (m *Mapper) maskCell(f int, raw string) (string, bool) {
	if raw == "" || (f == FDossierCode && codeLike(raw)) {
		return raw, false
	}
	v := raw
	if m.legacy != vnenc.UTF8 {
		v = vnenc.FixText(m.legacy, v)
	}
	var out string
	var changed bool
	switch f {
	case FDossierCode, FProcedureName, FField, FProcedureCode:
		out, changed = pii.Mask(v)
	case FUnitCode:
		if first, rest, ok := strings.Cut(v, "\n"); ok && unitLike(first) {
			// A signature block read as a row: "TM. ỦY BAN NHÂN DÂN",
			// then "CHỦ TỊCH" and the signer's name on lines below.
			head, c1 := pii.MaskShapes(first)
			tail, c2 := pii.Mask(rest)
			out, changed = head+"\n"+tail, c1 || c2
		} else if unitLike(v) {
			out, changed = pii.MaskShapes(v)
		} else {
			out, changed = pii.Mask(v)
		}
	default:
		if parses(f, raw) {
			return raw, false
		}
		out, changed = pii.MaskRejected(v)
	}
	if !changed {
		return raw, false
	}
	return out, true
}

// codeLike says whether a dossier code's cell is written as codes are:
// ASCII letters, digits and . - _ / or spaces, with a digit. Such a cell is
// kept as it is in the quarantine, as a loaded code is (pii.Mask would take
// "H41.12 240315 0001" for a number); any other goes through pii.Mask.
func codeLike(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', strings.IndexByte(".-_/ ", c) >= 0:
		default:
			return false
		}
	}
	return digit
}

// unitWords are the words and pairs of words unit names are made of, in
// lower case with their diacritics (folded, "Quân" and "Phong", given names,
// would read as quận and phòng) and in the plain ASCII of some exports.
var unitWords = map[string]bool{"ubnd": true, "xã": true, "phường": true, "huyện": true, "quận": true, "sở": true,
	"phòng": true, "cục": true, "bql": true, "tp": true, "tx": true, "ủy ban": true, "uỷ ban": true, "thị trấn": true,
	"thị xã": true, "thành phố": true, "bộ phận": true, "trung tâm": true, "văn phòng": true, "ban quản": true,
	"xa": true, "phuong": true, "huyen": true, "uy ban": true, "thi tran": true, "thi xa": true, "thanh pho": true,
	"bo phan": true, "trung tam": true, "van phong": true}

// UnitLike reports whether s reads as a unit name (see unitLike): a unit
// cell that does not is masked with pii.Mask, a name in it being a
// person's; one that does with pii.MaskShapes.
func UnitLike(s string) bool { return unitLike(s) }

// unitLike reports whether s reads as a unit name: it holds a level or
// kind of office (UBND, xã, phường, Sở, Phòng, Trung tâm, ...).
func unitLike(s string) bool {
	ws := strings.FieldsFunc(strings.ToLower(NFC(s)), func(r rune) bool { return !unicode.IsLetter(r) })
	for i, w := range ws {
		if unitWords[w] || i > 0 && unitWords[ws[i-1]+" "+w] {
			return true
		}
	}
	return false
}

// parses reports whether raw is a valid value of the closed-vocabulary
// field f.
func parses(f int, raw string) bool {
	var err error
	switch f {
	case FReceivedAt, FDueAt, FFinishedAt, FReturnedAt:
		_, _, err = ParseTimestamp(raw)
	case FSupplementRequests:
		_, _, err = ParseCount(raw)
	case FSupplementDays:
		_, _, err = ParseNumber(raw)
	case FChannel:
		_, err = ParseChannel(raw)
	case FStatus:
		_, err = ParseStatus(raw)
	case FOnlineLevel:
		_, err = ParseOnlineLevel(raw)
	case FRating:
		_, err = ParseRating(raw)
	case FFeeRequired, FPaidOnline, FSyncedNational, FDigitizedDossier, FDigitizedResult, FReusedData:
		_, err = ParseBool(raw)
	default:
		return false
	}
	return err == nil
}

// scrubReason replaces the value a reason quotes (in any of the forms the
// parsers quote it: raw, trimmed, NFC, repaired) by its masked form.
func scrubReason(reason, masked string, forms ...string) string {
	q := strconv.Quote(masked)
	done := false
	for _, v := range forms {
		if v == "" || v == masked {
			continue
		}
		if qv := strconv.Quote(v); strings.Contains(reason, qv) {
			reason, done = strings.ReplaceAll(reason, qv, q), true
		}
	}
	if done {
		return reason
	}
	for _, v := range forms {
		if v != "" && v != masked {
			reason = strings.ReplaceAll(reason, v, masked)
		}
	}
	return reason
}

func (r *rowParser) header(f int) string {
	if c := r.m.col[f]; c >= 0 {
		return r.m.header[c]
	}
	return ColumnLabel(f)
}

// missing rejects a row whose required column f is empty. When the file has
// no column f at all but has headers nobody recognised, the likelier cause
// is a header spelling cchc does not know: that is unknown_header, cured by
// a columns: override, and the row is retried when the mapping changes.
func (r *rowParser) missing(f int, code, reason string) (RowError, bool) {
	if r.m.col[f] < 0 && len(r.m.mapping.Unmapped) > 0 {
		return r.fail(f, CodeUnknownHeader, fmt.Sprintf(
			"Tệp không có cột nào được nhận diện là %q; các cột chưa nhận diện: %s: thêm vào mục columns: của nguồn %s một dòng như %q: %s, hoặc đổi tên cột trong tệp xuất",
			ColumnLabel(f), quoteHeaders(r.m.mapping.Unmapped), r.m.opts.Source, likelyHeader(f, r.m.mapping.Unmapped), CanonicalNames[f]))
	}
	return r.fail(f, code, reason)
}

// likelyHeader picks, for the example override of a missing column f, the
// unrecognised header that looks most like it (a date column for a date,
// a unit or agency column for the unit), else a placeholder: suggesting
// "STT" as the receipt date would mislead.
func likelyHeader(f int, unmapped []string) string {
	hints := map[int][]string{
		FReceivedAt: {"ngay", "date", "thoigian", "thoidiem"},
		FUnitCode:   {"donvi", "coquan", "unit", "agency", "noi"},
	}[f]
	for _, h := range unmapped {
		k := Key(h)
		for _, w := range hints {
			if strings.Contains(k, w) {
				return h
			}
		}
	}
	return "<tên cột trong tệp>"
}

// needsDate completes the reason of a row whose date of receipt is
// missing or unreadable when its unit is a name several units bore over
// time: the date is also what tells which of them it means.
func (r *rowParser) needsDate(e RowError) RowError {
	if r.unitAt != nil {
		e.Reason, _ = pii.MaskShapes(e.Reason + fmt.Sprintf("; tên đơn vị %q (cột %q) là tên chung của nhiều đơn vị qua các thời kỳ (trước và sau sáp nhập), cần ngày tiếp nhận để xác định hồ sơ thuộc đơn vị nào",
			r.text(FUnitCode), r.header(FUnitCode)))
	}
	return e
}

// checkFormed refuses a dossier received before its unit's valid_from (a
// pilot before the unit was formed, or a wrong date in the registry or the
// export): loaded, it would be counted in form II.06a of that period under
// a unit that did not exist yet, and ranked nowhere. The reason names the
// unit, its valid_from and the day of receipt, and says what to correct;
// a corrected registry retries the row (CurableCodes).
func (r *rowParser) checkFormed() (RowError, bool) {
	if r.m.validity == nil {
		return RowError{}, true
	}
	from, ok := r.m.validity.ValidFrom(r.unit)
	if !ok || !r.received.Before(from) {
		return RowError{}, true
	}
	unit, f := fmt.Sprintf("%s (mặc định của nguồn %s)", r.unit, r.m.opts.Source), FReceivedAt
	if u := r.text(FUnitCode); strings.TrimSpace(u) != "" {
		unit, f = fmt.Sprintf("%q (mã %s)", u, r.unit), FUnitCode
	}
	return r.fail(f, CodeBeforeUnitValidFrom, fmt.Sprintf("Hồ sơ tiếp nhận ngày %s (cột %q), trước ngày đơn vị %s bắt đầu hoạt động %s (valid_from trong units.csv): đơn vị chưa tồn tại nên hồ sơ không được tính cho đơn vị nào. Nếu đơn vị đã nhận hồ sơ từ trước (thí điểm) hoặc valid_from ghi sai, sửa valid_from của %s trong units.csv; nếu không, sửa ngày tiếp nhận hoặc đơn vị trong tệp xuất",
		vnDate(r.received), r.header(FReceivedAt), unit, from.Format("02/01/2006"), r.unit))
}

// parseDate reads date field f and checks it lies between MinDate and, when
// future is set, the run's date plus the tolerance.
func (r *rowParser) parseDate(f int, future bool) (time.Time, bool, RowError, bool) {
	t, ok, err := ParseTimestampIn(r.get(f), r.m.opts.Date1904)
	if err != nil {
		e, _ := r.fail(f, CodeUnparseableDate, fmt.Sprintf("Không đọc được ngày %q (cột %q): ghi theo dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM rồi xuất lại",
			trimValue(r.get(f)), r.header(f)))
		return t, false, e, false
	}
	if !ok {
		return t, false, RowError{}, true
	}
	if t.Before(MinDate) {
		e, _ := r.fail(f, CodeDateBefore2000, fmt.Sprintf("Ngày %s (cột %q) trước năm 2000: kiểm tra năm và sửa trong tệp xuất", vnDate(t), r.header(f)))
		return t, false, e, false
	}
	if now := r.m.opts.Now; future && !now.IsZero() && t.After(now.Add(r.m.opts.FutureTolerance)) {
		e, _ := r.fail(f, CodeDateInFuture, fmt.Sprintf("Ngày %s (cột %q) sau ngày chạy %s: ngày trong tương lai, kiểm tra và sửa trong tệp xuất",
			vnDate(t), r.header(f), vnDate(now)))
		return t, false, e, false
	}
	return t, true, RowError{}, true
}

var boolFields = [6]int{FFeeRequired, FPaidOnline, FSyncedNational, FDigitizedDossier, FDigitizedResult, FReusedData}

func (r *rowParser) parse() (RowError, bool) {
	var err error
	r.code = r.text(FDossierCode)
	if r.code == "" {
		return r.fail(FDossierCode, CodeMissingDossierCode, fmt.Sprintf("Thiếu mã hồ sơ (cột %q): mọi dòng phải có mã hồ sơ; bổ sung mã trong tệp xuất", r.header(FDossierCode)))
	}
	// Unit: a code, name or alias; empty means the source's default unit.
	if raw := r.get(FUnitCode); strings.TrimSpace(raw) != "" {
		mv := r.m.cached(FUnitCode, raw, func(string) memoVal {
			u := r.text(FUnitCode)
			if d, ok := r.m.opts.Units.(DatedUnitResolver); ok {
				if at := d.ResolveDated(u); at != nil {
					return memoVal{at: at}
				}
			}
			if code, ok := r.m.opts.Units.Resolve(u); ok {
				return memoVal{s: code}
			}
			return memoVal{err: fmt.Errorf("Đơn vị %q chưa có trong danh mục đơn vị: thêm vào units.csv (mã, tên hoặc tên gọi khác trong cột aliases) hoặc sửa tên trong tệp xuất", u)}
		})
		if mv.err != nil {
			return r.fail(FUnitCode, CodeUnknownUnit, mv.err.Error())
		}
		// A name shared over time waits for the day of receipt, below.
		r.unit, r.unitAt = mv.s, mv.at
	} else if r.m.opts.DefaultUnit != "" {
		r.unit = r.m.opts.DefaultUnit
	} else {
		return r.missing(FUnitCode, CodeNoUnit, fmt.Sprintf("Dòng không ghi đơn vị và nguồn %s không có đơn vị mặc định: ghi đơn vị trong tệp xuất hoặc đặt unit: cho nguồn trong cấu hình", r.m.opts.Source))
	}
	// Procedure codes repeat like the names: memoised the same way.
	pc := r.m.cached(FProcedureCode, r.get(FProcedureCode), func(string) memoVal {
		s, masked := pii.Mask(normalizeProcedureCode(r.text(FProcedureCode)))
		return memoVal{s: s, masked: masked}
	})
	if r.procCode = pc.s; pc.masked {
		r.masked++
	}
	r.procName = r.freeText(FProcedureName)
	// A field of only "*" is no field's name: '*' is the total row of
	// dossier_stats (docs/contract.md, form II.06a), so such a dossier is
	// counted as one without a field, under '(chưa phân loại)'.
	if r.field = r.freeText(FField); r.field == "*" {
		r.field = ""
	}

	if r.channel, err = r.vocab(FChannel, ParseChannel); err != nil {
		return r.fail(FChannel, CodeUnknownChannel, vocabReason(CodeUnknownChannel, r.header(FChannel), r.get(FChannel)))
	}
	var ok bool
	var e RowError
	if r.received, ok, e, _ = r.parseDate(FReceivedAt, true); e.Code == CodeUnparseableDate {
		return r.needsDate(e), false
	} else if e.Code != "" {
		return e, false
	} else if !ok {
		e, _ = r.missing(FReceivedAt, CodeMissingReceivedAt, fmt.Sprintf("Thiếu ngày tiếp nhận (cột %q): mọi hồ sơ phải có; bổ sung trong tệp xuất", r.header(FReceivedAt)))
		return r.needsDate(e), false
	}
	if r.unitAt != nil {
		if r.unit, ok = r.unitAt(r.received); !ok {
			return r.fail(FUnitCode, CodeAmbiguousUnit, fmt.Sprintf("Đơn vị %q ứng với nhiều đơn vị trong danh mục vào ngày tiếp nhận %s: sửa thời gian hiệu lực (valid_from, valid_to) hoặc tên gọi khác (aliases) của các đơn vị này trong units.csv, hoặc ghi mã đơn vị trong tệp xuất",
				r.text(FUnitCode), vnDate(r.received)))
		}
	}
	if e, ok := r.checkFormed(); !ok {
		return e, false
	}
	for _, d := range []struct {
		f      int
		dst    *time.Time
		has    *bool
		nm     string
		code   string
		future bool // due dates lie in the future while a dossier is open
	}{
		{FDueAt, &r.due, &r.hasDue, "Ngày hẹn trả", CodeDueBeforeReceived, false},
		{FFinishedAt, &r.finished, &r.hasFinished, "Ngày kết thúc xử lý", CodeFinishedBeforeReceived, true},
		{FReturnedAt, &r.returned, &r.hasReturned, "Ngày trả kết quả", CodeReturnedBeforeReceived, true},
	} {
		if *d.dst, *d.has, e, _ = r.parseDate(d.f, d.future); e.Code != "" {
			return e, false
		}
		// A date without a time (00:00) on the day of receipt is not
		// before it: it means that day.
		if *d.has && d.dst.Before(r.received) && !(isMidnight(*d.dst) && sameDay(*d.dst, r.received)) {
			return r.fail(d.f, d.code, fmt.Sprintf("%s %s (cột %q) trước ngày tiếp nhận %s: sửa một trong hai ngày trong tệp xuất",
				d.nm, d.dst.Format("02/01/2006 15:04"), r.header(d.f), r.received.Format("02/01/2006 15:04")))
		}
	}
	if r.status, err = r.vocab(FStatus, ParseStatus); err != nil {
		return r.fail(FStatus, CodeUnknownStatus, vocabReason(CodeUnknownStatus, r.header(FStatus), r.get(FStatus)))
	}
	switch {
	case r.status != "":
	case r.hasReturned:
		r.status = "returned"
	case r.hasFinished:
		r.status = "resolved"
	default:
		r.status = "processing"
	}
	if !r.hasFinished && r.hasReturned && isTerminal(r.status) {
		r.finished, r.hasFinished = r.returned, true
	}
	if isTerminal(r.status) && !r.hasFinished {
		// Without an end date a closed dossier would count as pending in
		// every later period.
		return r.fail(FFinishedAt, CodeMissingFinishDate, fmt.Sprintf("Trạng thái %q đã kết thúc nhưng không có ngày kết thúc xử lý (cột %q) hay ngày trả kết quả: bổ sung ngày trong tệp xuất",
			NFC(strings.TrimSpace(r.get(FStatus))), r.header(FFinishedAt)))
	}
	var n float64
	if n, r.hasSuppReq, err = ParseNumberIn(r.get(FSupplementRequests), SupplementRequestsRange); err != nil {
		return r.numberFail(FSupplementRequests, SupplementRequestsRange, err)
	}
	r.suppReq = int64(n)
	if r.suppDays, r.hasSuppDays, err = ParseNumberIn(r.get(FSupplementDays), SupplementDaysRange); err != nil {
		return r.numberFail(FSupplementDays, SupplementDaysRange, err)
	}
	if r.online, err = r.vocab(FOnlineLevel, ParseOnlineLevel); err != nil {
		return r.fail(FOnlineLevel, CodeUnknownOnlineLevel, vocabReason(CodeUnknownOnlineLevel, r.header(FOnlineLevel), r.get(FOnlineLevel)))
	}
	for k, f := range boolFields {
		if r.m.col[f] < 0 {
			r.bools[k] = -1
			continue
		}
		mv := r.m.cached(f, r.get(f), func(s string) memoVal {
			if f == FPaidOnline && strings.TrimSpace(s) == "2" {
				// DuocThanhToanTrucTuyen: 1 and 2 both mean paid online.
				return memoVal{b: 1}
			}
			v, err := ParseBool(s)
			if v {
				return memoVal{b: 1, err: err}
			}
			return memoVal{err: err}
		})
		if mv.err != nil {
			return r.fail(f, CodeUnparseableBool, vocabReason(CodeUnparseableBool, r.header(f), r.get(f)))
		}
		r.bools[k] = mv.b
	}
	if r.rating, err = r.vocab(FRating, ParseRating); err != nil {
		return r.fail(FRating, CodeUnknownRating, vocabReason(CodeUnknownRating, r.header(FRating), r.get(FRating)))
	}
	return RowError{}, true
}

// numberFail rejects numeric field f: unreadable, read two plausible ways,
// or outside the column's plausible range rg.
func (r *rowParser) numberFail(f int, rg NumberRange, err error) (RowError, bool) {
	v, col := trimValue(r.get(f)), r.header(f)
	var ne *NumberError
	if !errors.As(err, &ne) {
		return r.fail(f, CodeUnparseableNumber, fmt.Sprintf("Không đọc được số %q (cột %q): ghi số như 3, 12 hoặc 2,5 rồi xuất lại", v, col))
	}
	if ne.Ambiguous {
		return r.fail(f, CodeAmbiguousNumber, fmt.Sprintf("Số %q (cột %q) đọc được hai cách: %s hoặc %s: ghi rõ không có dấu chấm phân cách hàng nghìn (ví dụ %s hoặc %s) rồi xuất lại",
			v, col, vnNumber(ne.Readings[0]), vnNumber(ne.Readings[1]), vnNumber(ne.Readings[0]), vnNumber(ne.Readings[1])))
	}
	what := "số từ 0 đến " + vnNumber(rg.Max)
	if rg.Whole {
		what = "số nguyên từ 0 đến " + vnNumber(rg.Max)
	}
	return r.fail(f, CodeImplausibleNumber, fmt.Sprintf("Số %q (cột %q) không hợp lý: cột này nhận %s; kiểm tra và sửa trong tệp xuất", v, col, what))
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func isTerminal(status string) bool {
	switch status {
	case "resolved", "returned", "rejected", "withdrawn", "stopped":
		return true
	}
	return false
}

// normalizeProcedureCode restores the six decimals of a d.dddddd code that
// Excel turned into a number and shortened (1.00123 → 1.001230).
func normalizeProcedureCode(s string) string {
	if len(s) < 3 || len(s) >= 8 || s[1] != '.' || s[0] < '0' || s[0] > '9' {
		return s
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s
		}
	}
	return s + strings.Repeat("0", 8-len(s))
}

// appendValid appends a valid row. The builders were reserved for the
// batch's rows (reserve), so the fixed-width ones take unchecked appends.
func (m *Mapper) appendValid(r *rowParser) {
	t := &m.txt
	t[FDossierCode].Opt(r.code)
	t[FUnitCode].Opt(r.unit)
	t[FProcedureCode].Opt(r.procCode)
	t[FProcedureName].Opt(r.procName)
	t[FField].Opt(r.field)
	t[FChannel].Opt(r.channel)
	m.ts[0].UnsafeAppend(arrow.Timestamp(r.received.UnixMicro()))
	for k, d := range [3]struct {
		t  *time.Time
		ok bool
	}{{&r.due, r.hasDue}, {&r.finished, r.hasFinished}, {&r.returned, r.hasReturned}} {
		if d.ok {
			m.ts[k+1].UnsafeAppend(arrow.Timestamp(d.t.UnixMicro()))
		} else {
			m.ts[k+1].UnsafeAppendBoolToBitmap(false)
		}
	}
	t[FStatus].Opt(r.status)
	if r.hasSuppReq {
		m.b.Field(FSupplementRequests).(*array.Int32Builder).UnsafeAppend(int32(min(r.suppReq, 1<<31-1)))
	} else {
		m.b.Field(FSupplementRequests).AppendNull()
	}
	if r.hasSuppDays {
		m.b.Field(FSupplementDays).(*array.Float64Builder).UnsafeAppend(r.suppDays)
	} else {
		m.b.Field(FSupplementDays).AppendNull()
	}
	t[FOnlineLevel].Opt(r.online)
	for k, b := range m.bools {
		if r.bools[k] < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(r.bools[k] == 1)
		}
	}
	t[FRating].Opt(r.rating)
	for f := FQReason; f <= FQReasonCode; f++ {
		t[f].AppendNull()
	}
}

func (m *Mapper) appendRejected(r *rowParser, e RowError) {
	for f := 0; f < numCanonical; f++ {
		if c := m.txt[f]; c != nil {
			c.AppendNull()
		} else {
			m.b.Field(f).AppendNull()
		}
	}
	m.txt[FQReason].Append(e.Reason)
	m.txt[FQColumn].Append(e.Column)
	m.txt[FQRawValue].Append(e.Raw)
	m.txt[FQRawRecord].Append(m.rawRecord(r))
	m.txt[FQReasonCode].Append(e.Code)
}

// rawRecord renders the mapped cells of the row as JSON for the clerk.
// Unmapped and personal-data columns are left out on purpose: an unknown
// header may hold personal data, and personal data never enters the
// warehouse. Each cell is masked like the raw value (maskCell), and counted
// in Masked when it was.
func (m *Mapper) rawRecord(r *rowParser) string {
	var sb strings.Builder
	sb.WriteByte('{')
	first := true
	for f := 0; f < numCanonical; f++ {
		c := m.col[f]
		if c < 0 {
			continue
		}
		if !first {
			sb.WriteByte(',')
		}
		first = false
		cell, masked := m.maskCell(f, r.get(f))
		if masked {
			m.masked++
		}
		k, _ := json.Marshal(m.header[c])
		v, _ := json.Marshal(cell)
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(v)
	}
	sb.WriteByte('}')
	return sb.String()
}
