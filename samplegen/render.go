package samplegen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// field is what a column of an export carries.
type field int

const (
	colSTT field = iota // row counter, not a canonical column
	colCode
	colUnit
	colProcCode
	colProcName
	colField
	colChannel
	colReceived
	colDue
	colFinished
	colReturned
	colStatus
	colSuppK
	colSuppDays
	colOnlineLevel
	colFee
	colPaid
	colSynced
	colDigDossier
	colDigResult
	colReused
	colRating
	colName // personal data from here on
	colCCCD
	colPhone
	colAddress
	colEmail
	colNote // free text the loader ignores
)

// canonicalName is the docs/contract.md column a field maps to (used in the
// manifest to name the column of a bad row).
var canonicalName = map[field]string{
	colCode: "dossier_code", colUnit: "unit_code", colReceived: "received_at", colDue: "due_at",
	colFinished: "finished_at", colReturned: "returned_at", colStatus: "status",
}

// column is one column of an export: its header as the vendor spells it,
// and for two-row headers the group title above it.
type column struct {
	header string
	field  field
	group  string // XLSX two-row header: merged title above; "" for none
}

type cellKind uint8

const (
	cNull cellKind = iota // empty cell, JSON null (or key left out in NDJSON)
	cText
	cNum  // numeric literal in s ("2", "2.5"); a number cell in XLSX and JSON
	cBool // JSON true/false in s
	cTime // XLSX date cell
)

// cell is one rendered value.
type cell struct {
	kind cellKind
	s    string
	t    time.Time
}

func textCell(s string) cell {
	if s == "" {
		return cell{}
	}
	return cell{kind: cText, s: s}
}

// text returns the cell as CSV or a string cell shows it.
func (c cell) text() string { return c.s }

// dialect is how one vendor system writes values.
type dialect struct {
	status    [nStatus][]string // spellings per status; the first is the usual one
	channel   [3]string         // direct, online, postal
	chanNum   bool              // channel as a JSON number 1/2/3
	yes, no   string            // booleans as text
	boolKind  cellKind          // cText (yes/no), cNum (1/0) or cBool (JSON)
	date      func(time.Time) string
	realDates bool   // XLSX date cells instead of text
	decimal   string // decimal separator of supplement days: "," or "."
	numCounts bool   // supplement counts as number cells (XLSX, JSON)
	zeroCount bool   // write 0 supplements rather than leaving the cell empty
	rating    [3]string
	ratingNum bool      // rating codes as numbers
	paidCode  bool      // DuocThanhToanTrucTuyen: 0, or 1/2 for paid
	level     [3]string // online level: full, partial, none
	unitRef   func(r *rand.Rand, u *unit) string
}

var channelIndex = map[string]int{"direct": 0, "online": 1, "postal": 2}
var ratingIndex = map[string]int{"very_satisfied": 0, "satisfied": 1, "dissatisfied": 2}
var levelIndex = map[string]int{"full": 0, "partial": 1, "none": 2}

// Date formats seen in exports.
func fmtDMYHM(t time.Time) string  { return t.Format("02/01/2006 15:04") }
func fmtDMYHMS(t time.Time) string { return t.Format("02/01/2006 15:04:05") }
func fmtISO(t time.Time) string    { return t.Format("2006-01-02T15:04:05") }
func fmtISOZone(t time.Time) string {
	return t.Format("2006-01-02T15:04:05-07:00")
}
func fmtCompact(t time.Time) string { return t.Format("20060102150405") }

func (dl *dialect) timeCell(t time.Time) cell {
	if t.IsZero() {
		return cell{}
	}
	if dl.realDates {
		return cell{kind: cTime, t: t}
	}
	return textCell(dl.date(t))
}

func (dl *dialect) boolCell(b bool) cell {
	switch dl.boolKind {
	case cNum:
		return cell{kind: cNum, s: map[bool]string{true: "1", false: "0"}[b]}
	case cBool:
		return cell{kind: cBool, s: strconv.FormatBool(b)}
	}
	if b {
		return textCell(dl.yes)
	}
	return textCell(dl.no)
}

func (dl *dialect) statusText(r *rand.Rand, s status) string {
	v := dl.status[s]
	if len(v) == 0 {
		panic("samplegen: dialect has no spelling for status " + s.String())
	}
	if len(v) > 1 && r.IntN(6) == 0 {
		return v[1+r.IntN(len(v)-1)]
	}
	return v[0]
}

func (dl *dialect) numCell(s string) cell {
	if dl.numCounts {
		return cell{kind: cNum, s: s}
	}
	return textCell(s)
}

// render writes one column of a dossier as an export taken at the moment of
// snapshot s shows it.
func (dl *dialect) render(r *rand.Rand, f field, d *dossier, s snap) cell {
	switch f {
	case colCode:
		return textCell(d.code)
	case colUnit:
		return textCell(dl.unitRef(r, d.unit))
	case colProcCode:
		return textCell(d.proc.code)
	case colProcName:
		return textCell(d.proc.name)
	case colField:
		return textCell(d.proc.field)
	case colChannel:
		i := channelIndex[d.channel]
		if dl.chanNum {
			return cell{kind: cNum, s: strconv.Itoa(i + 1)}
		}
		return textCell(dl.channel[i])
	case colReceived:
		return dl.timeCell(d.received)
	case colDue:
		return dl.timeCell(d.due)
	case colFinished:
		return dl.timeCell(s.finished)
	case colReturned:
		return dl.timeCell(s.returned)
	case colStatus:
		return textCell(dl.statusText(r, s.status))
	case colSuppK:
		if s.suppK == 0 && !dl.zeroCount {
			return cell{}
		}
		return dl.numCell(strconv.Itoa(s.suppK))
	case colSuppDays:
		if s.suppDays == 0 {
			if dl.zeroCount {
				return dl.numCell("0")
			}
			return cell{}
		}
		v := strconv.FormatFloat(s.suppDays, 'f', -1, 64)
		if dl.decimal == "," {
			return textCell(strings.ReplaceAll(v, ".", ","))
		}
		return dl.numCell(v)
	case colOnlineLevel:
		return textCell(dl.level[levelIndex[d.proc.online]])
	case colFee:
		return dl.boolCell(d.proc.fee)
	case colPaid:
		if dl.paidCode {
			v := "0"
			if d.proc.fee && d.paid {
				v = "1"
				if r.IntN(5) == 0 {
					v = "2" // paid through another gateway
				}
			}
			return cell{kind: cNum, s: v}
		}
		return dl.boolCell(d.paid)
	case colSynced:
		return dl.boolCell(d.synced)
	case colDigDossier:
		return dl.boolCell(d.digDossier)
	case colDigResult:
		return dl.boolCell(s.digResult)
	case colReused:
		return dl.boolCell(d.reused)
	case colRating:
		if s.rating == "" {
			return cell{}
		}
		v := dl.rating[ratingIndex[s.rating]]
		if dl.ratingNum {
			return cell{kind: cNum, s: v}
		}
		return textCell(v)
	case colName:
		return textCell(d.person.name)
	case colCCCD:
		return textCell(d.person.cccd)
	case colPhone:
		return textCell(d.person.phone)
	case colAddress:
		return textCell(d.person.address)
	case colEmail:
		return textCell(d.person.email)
	case colNote:
		if d.unit.Level != "department" && r.IntN(40) == 0 {
			return textCell("Hồ sơ liên thông")
		}
		return cell{}
	}
	return cell{}
}

// Unit references as exports write them.

// unitByName writes mostly the registry name, sometimes without diacritics,
// an alias or the code: a provincial portal aggregating several systems.
func unitByName(r *rand.Rand, u *unit) string {
	switch x := r.IntN(20); {
	case x < 10:
		return u.Name
	case x < 13:
		return stripDiacritics(u.Name)
	case x < 17 && len(u.Aliases) > 0:
		return u.Aliases[r.IntN(len(u.Aliases))]
	default:
		return u.Code
	}
}

func unitByCodeMostly(r *rand.Rand, u *unit) string {
	if r.IntN(10) < 7 {
		return u.Code
	}
	return u.Name
}

func unitCode(_ *rand.Rand, u *unit) string { return u.Code }
