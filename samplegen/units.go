package samplegen

import (
	"bytes"
	"encoding/csv"
	"strings"
	"time"
)

// unit is one receiving unit of the demo province H41 (real Vietnamese
// place names around Ba Vì, Thạch Thất, Sơn Tây and Phúc Thọ, invented
// codes).
type unit struct {
	Code      string
	Name      string
	Level     string // department, district or commune
	Parent    string
	ValidFrom string // YYYY-MM-DD or ""
	ValidTo   string // YYYY-MM-DD or ""; the unit receives nothing on or after this day
	Successor string
	Aliases   []string

	// Parts of the dossier codes the unit issues (see dossierCode).
	short  string // districts: "31" in H41.31-260315-0001
	agency string // "000.00.31.H41" in 000.00.31.H41-260315-0001
	m2026  string // districts, communes: "M41.031.00" in M41.031.00-260315-010001 (from 2026-07-01)

	weight  float64 // share of the demo's dossiers
	q       quality // how well the unit serves, so that rankings differ
	procs   []procedure
	lifeKey string // units with the same lifeKey get identical dossier lives (a tie)

	lateExports bool   // the unit's old software goes on exporting under its name after valid_to
	area        string // new communes: the former district whose people they serve (addresses)
}

// quality holds the probabilities that shape one unit's dossiers. Units differ
// on purpose so that the index ranks them clearly.
type quality struct {
	online     float64 // received online, where the procedure allows it
	postal     float64 // received by post
	onTime     float64 // resolved early or on time, of those resolved
	early      float64 // early, of those early or on time
	maxLate    int     // working days late at most
	stuck      float64 // never finished (overdue backlog)
	supplement float64 // citizen asked to complete the file
	reject     float64
	withdraw   float64
	stop       float64
	uncollect  float64 // result never collected (resolved, not returned)
	paidOnline float64 // fee paid online, of fee-bearing dossiers submitted online
	synced     float64
	digDossier float64
	digResult  float64
	reused     float64
	rated      float64
	verySat    float64 // of rated
	dissat     float64 // of rated
}

// reform is the day the two-tier local government of the 2025 arrangement
// starts (Nghị quyết 1656/NQ-UBTVQH15 of 16/6/2025 for Hà Nội): districts
// and old communes are dissolved, the new communes and wards begin.
const reform = "2025-07-01"

// deptMerger is the day the provincial departments merge (March 2025).
const deptMerger = "2025-03-01"

// Quality presets; units tweak them so that no two units serve alike.
var (
	qGood = quality{online: 0.62, postal: 0.04, onTime: 0.9, early: 0.7, maxLate: 6, stuck: 0.004, supplement: 0.06,
		reject: 0.012, withdraw: 0.01, stop: 0.003, uncollect: 0.04, paidOnline: 0.8, synced: 0.97,
		digDossier: 0.85, digResult: 0.8, reused: 0.55, rated: 0.35, verySat: 0.55, dissat: 0.02}
	qAvg = quality{online: 0.35, postal: 0.03, onTime: 0.72, early: 0.55, maxLate: 10, stuck: 0.012, supplement: 0.09,
		reject: 0.02, withdraw: 0.015, stop: 0.004, uncollect: 0.06, paidOnline: 0.55, synced: 0.85,
		digDossier: 0.6, digResult: 0.55, reused: 0.3, rated: 0.25, verySat: 0.4, dissat: 0.06}
	qPoor = quality{online: 0.12, postal: 0.02, onTime: 0.55, early: 0.4, maxLate: 18, stuck: 0.03, supplement: 0.13,
		reject: 0.03, withdraw: 0.02, stop: 0.006, uncollect: 0.08, paidOnline: 0.25, synced: 0.6,
		digDossier: 0.35, digResult: 0.3, reused: 0.1, rated: 0.18, verySat: 0.25, dissat: 0.14}
)

func tweak(q quality, f func(*quality)) quality { f(&q); return q }

// procsNewCommune: a commune of the two-tier government also takes over
// most of the district's procedures.
var procsNewCommune = append(append([]procedure{}, procsCommune...), procsDistrict...)

// registry is the unit list of the demo, in units.csv order: the western
// part of Hà Nội (codes invented, province code H41) from January 2024 to
// October 2026. Departments stand throughout, but for the March 2025
// merger (Sở Kế hoạch và Đầu tư into Sở Tài chính, Sở Giao thông vận tải
// into Sở Xây dựng, Sở Tài nguyên và Môi trường into the new Sở Nông nghiệp
// và Môi trường). Districts and their old communes end on 1 July 2025
// (valid_to, the first day they no longer exist); each old commune's
// successor is the new commune or ward it was merged into, which has no
// parent district. The new units' names are those of the real 2025
// arrangement; which old communes formed which new one is illustrative.
// Xã Kim Sơn's old register keeps exporting under its name after the
// reform (lateExports).
func registry() []*unit {
	return []*unit{
		{Code: "H41.STP", Name: "Sở Tư pháp", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Tu phap", "STP", "Bộ phận một cửa Sở Tư pháp"},
			agency:  "000.00.12.H41", weight: 0.07,
			q: tweak(qGood, func(q *quality) { q.online = 0.7; q.onTime = 0.93 }), procs: procsSTP},
		// OpenCPS, the system of SKHĐT, STC and SXD, has no "stopped"
		// status, so these never stop a dossier.
		{Code: "H41.SKHDT", Name: "Sở Kế hoạch và Đầu tư", Level: "department", ValidFrom: "2008-04-01",
			ValidTo: deptMerger, Successor: "H41.STC",
			Aliases: []string{"So Ke hoach va Dau tu", "Sở KH&ĐT", "SKHĐT", "Phòng Đăng ký kinh doanh"},
			agency:  "000.00.13.H41", weight: 0.035,
			q: tweak(qGood, func(q *quality) { q.online = 0.9; q.onTime = 0.97; q.paidOnline = 0.92; q.stop = 0 }), procs: procsSKHDT},
		{Code: "H41.STC", Name: "Sở Tài chính", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Tai chinh", "STC", "Bộ phận một cửa Sở Tài chính"},
			agency:  "000.00.17.H41", weight: 0.03,
			q: tweak(qGood, func(q *quality) { q.online = 0.8; q.onTime = 0.88; q.paidOnline = 0.85; q.stop = 0; q.rated = 0.3 }), procs: procsSKHDT},
		{Code: "H41.STNMT", Name: "Sở Tài nguyên và Môi trường", Level: "department", ValidFrom: "2008-04-01",
			ValidTo: deptMerger, Successor: "H41.SNNMT",
			Aliases: []string{"So Tai nguyen va Moi truong", "Sở TN&MT", "STNMT", "Bộ phận một cửa Sở Tài nguyên và Môi trường"},
			agency:  "000.00.14.H41", weight: 0.08,
			q: tweak(qPoor, func(q *quality) { q.online = 0.3; q.synced = 0.9 }), procs: procsSTNMT},
		{Code: "H41.SNNMT", Name: "Sở Nông nghiệp và Môi trường", Level: "department", ValidFrom: deptMerger,
			Aliases: []string{"So Nong nghiep va Moi truong", "Sở NN&MT", "SNNMT", "Bộ phận một cửa Sở Nông nghiệp và Môi trường"},
			agency:  "000.00.18.H41", weight: 0.08,
			q: tweak(qAvg, func(q *quality) { q.online = 0.4; q.onTime = 0.66; q.synced = 0.92 }), procs: procsSTNMT},
		{Code: "H41.SXD", Name: "Sở Xây dựng", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Xay dung", "SXD", "Bộ phận một cửa Sở Xây dựng"},
			agency:  "000.00.15.H41", weight: 0.02,
			q: tweak(qAvg, func(q *quality) { q.stop = 0 }), procs: procsSXD},
		{Code: "H41.SGTVT", Name: "Sở Giao thông vận tải", Level: "department", ValidFrom: "2008-04-01",
			ValidTo: deptMerger, Successor: "H41.SXD",
			Aliases: []string{"So Giao thong van tai", "Sở GTVT", "SGTVT"},
			agency:  "000.00.16.H41", weight: 0.09,
			q: tweak(qGood, func(q *quality) { q.online = 0.8; q.digResult = 0.9 }), procs: procsSGTVT},

		{Code: "H.BAVI", Name: "UBND huyện Ba Vì", Level: "district", ValidTo: reform,
			Aliases: []string{"Huyện Ba Vì", "UBND huyen Ba Vi", "Bộ phận một cửa huyện Ba Vì", "Ủy ban nhân dân huyện Ba Vì"},
			short:   "31", agency: "000.00.31.H41", m2026: "M41.031.00", weight: 0.18,
			q: qAvg, procs: procsDistrict},
		{Code: "H.THACHTHAT", Name: "UBND huyện Thạch Thất", Level: "district", ValidTo: reform,
			Aliases: []string{"Huyện Thạch Thất", "UBND huyen Thach That", "Bộ phận một cửa huyện Thạch Thất"},
			short:   "32", agency: "000.00.32.H41", m2026: "M41.032.00", weight: 0.13,
			q: tweak(qGood, func(q *quality) { q.online = 0.55 }), procs: procsDistrict},
		{Code: "H.SONTAY", Name: "UBND thị xã Sơn Tây", Level: "district", ValidTo: reform,
			Aliases: []string{"Thị xã Sơn Tây", "UBND thi xa Son Tay", "Bộ phận một cửa thị xã Sơn Tây", "TX Sơn Tây"},
			short:   "33", agency: "000.00.33.H41", m2026: "M41.033.00", weight: 0.11,
			q: tweak(qAvg, func(q *quality) { q.online = 0.45; q.onTime = 0.8 }), procs: procsDistrict},
		{Code: "H.PHUCTHO", Name: "UBND huyện Phúc Thọ", Level: "district", ValidTo: reform,
			Aliases: []string{"Huyện Phúc Thọ", "UBND huyen Phuc Tho", "Bộ phận một cửa huyện Phúc Thọ"},
			short:   "34", agency: "000.00.34.H41", m2026: "M41.034.00", weight: 0.045,
			q: qPoor, procs: procsDistrict},

		{Code: "X.TANLINH", Name: "UBND xã Tản Lĩnh", Level: "commune", Parent: "H.BAVI", ValidTo: reform, Successor: "XA.BAVI",
			Aliases: []string{"Xã Tản Lĩnh", "UBND xa Tan Linh", "Bộ phận một cửa xã Tản Lĩnh"},
			agency:  "000.21.31.H41", m2026: "M41.031.21", weight: 0.035,
			q: tweak(qAvg, func(q *quality) { q.online = 0.4; q.onTime = 0.84 }), procs: procsCommune},
		{Code: "X.VANHOA", Name: "UBND xã Vân Hòa", Level: "commune", Parent: "H.BAVI", ValidTo: reform, Successor: "XA.BAVI",
			Aliases: []string{"Xã Vân Hòa", "UBND xã Vân Hoà", "UBND xa Van Hoa", "Bộ phận một cửa xã Vân Hòa"},
			agency:  "000.22.31.H41", m2026: "M41.031.22", weight: 0.025,
			q: qPoor, procs: procsCommune},
		{Code: "X.BATRAI", Name: "UBND xã Ba Trại", Level: "commune", Parent: "H.BAVI", ValidFrom: "2019-12-01",
			ValidTo: reform, Successor: "XA.SUOIHAI",
			Aliases: []string{"Xã Ba Trại", "UBND xa Ba Trai", "Bộ phận một cửa xã Ba Trại"},
			agency:  "000.23.31.H41", m2026: "M41.031.23", weight: 0.035,
			q: tweak(qGood, func(q *quality) { q.online = 0.5 }), procs: procsCommune},
		{Code: "X.THUYAN", Name: "UBND xã Thụy An", Level: "commune", Parent: "H.BAVI", ValidTo: reform, Successor: "XA.SUOIHAI",
			Aliases: []string{"Xã Thụy An", "UBND xã Thuỵ An", "UBND xa Thuy An"},
			agency:  "000.24.31.H41", m2026: "M41.031.24", weight: 0.012,
			q: qAvg, procs: procsCommune},
		{Code: "X.BINHYEN", Name: "UBND xã Bình Yên", Level: "commune", Parent: "H.THACHTHAT", ValidTo: reform, Successor: "XA.HOALAC",
			Aliases: []string{"Xã Bình Yên", "UBND xa Binh Yen"},
			agency:  "000.21.32.H41", m2026: "M41.032.21", weight: 0.02,
			q: tweak(qGood, func(q *quality) { q.online = 0.45; q.synced = 1 }), procs: procsCommune},
		{Code: "X.HABANG", Name: "UBND xã Hạ Bằng", Level: "commune", Parent: "H.THACHTHAT", ValidTo: reform, Successor: "XA.HABANG",
			Aliases: []string{"Xã Hạ Bằng", "UBND xa Ha Bang"},
			agency:  "000.22.32.H41", m2026: "M41.032.22", weight: 0.02,
			q: tweak(qGood, func(q *quality) { q.online = 0.42; q.onTime = 0.87; q.synced = 1 }), procs: procsCommune},
		{Code: "X.CODONG", Name: "UBND xã Cổ Đông", Level: "commune", Parent: "H.SONTAY", ValidTo: reform, Successor: "PH.TUNGTHIEN",
			Aliases: []string{"Xã Cổ Đông", "UBND xa Co Dong"},
			agency:  "000.21.33.H41", m2026: "M41.033.21", weight: 0.012,
			q: tweak(qPoor, func(q *quality) { q.online = 0.08 }), procs: procsCommune},
		{Code: "X.KIMSON", Name: "UBND xã Kim Sơn", Level: "commune", Parent: "H.SONTAY", ValidTo: reform, Successor: "PH.TUNGTHIEN",
			Aliases: []string{"Xã Kim Sơn", "UBND xa Kim Son", "Bộ phận một cửa xã Kim Sơn"},
			agency:  "000.22.33.H41", m2026: "M41.033.22", weight: 0.03, lateExports: true,
			q: tweak(qAvg, func(q *quality) { q.online = 0.3; q.synced = 1 }), procs: procsCommune},

		{Code: "XA.BAVI", Name: "UBND xã Ba Vì", Level: "commune", ValidFrom: reform, area: "H.BAVI",
			Aliases: []string{"Xã Ba Vì", "UBND xa Ba Vi", "Bộ phận một cửa xã Ba Vì"},
			agency:  "000.40.31.H41", m2026: "M41.031.40", weight: 0.05,
			q: tweak(qAvg, func(q *quality) { q.online = 0.42; q.onTime = 0.78 }), procs: procsNewCommune},
		{Code: "XA.QUANGOAI", Name: "UBND xã Quảng Oai", Level: "commune", ValidFrom: reform, area: "H.BAVI",
			Aliases: []string{"Xã Quảng Oai", "UBND xa Quang Oai", "Bộ phận một cửa xã Quảng Oai"},
			agency:  "000.41.31.H41", m2026: "M41.031.41", weight: 0.09,
			q: tweak(qGood, func(q *quality) { q.online = 0.58; q.onTime = 0.86 }), procs: procsNewCommune},
		{Code: "XA.SUOIHAI", Name: "UBND xã Suối Hai", Level: "commune", ValidFrom: reform, area: "H.BAVI",
			Aliases: []string{"Xã Suối Hai", "UBND xa Suoi Hai"},
			agency:  "000.42.31.H41", m2026: "M41.031.42", weight: 0.04,
			q: tweak(qPoor, func(q *quality) { q.online = 0.2; q.onTime = 0.62 }), procs: procsNewCommune},
		{Code: "XA.THACHTHAT", Name: "UBND xã Thạch Thất", Level: "commune", ValidFrom: reform, area: "H.THACHTHAT",
			Aliases: []string{"Xã Thạch Thất", "UBND xa Thach That"},
			agency:  "000.40.32.H41", m2026: "M41.032.40", weight: 0.08,
			q: tweak(qGood, func(q *quality) { q.online = 0.66; q.synced = 0.99 }), procs: procsNewCommune},
		{Code: "XA.HABANG", Name: "UBND xã Hạ Bằng", Level: "commune", ValidFrom: reform, area: "H.THACHTHAT",
			Aliases: []string{"Xã Hạ Bằng", "UBND xa Ha Bang"},
			agency:  "000.41.32.H41", m2026: "M41.032.41", weight: 0.045,
			q: tweak(qAvg, func(q *quality) { q.online = 0.5; q.synced = 0.98 }), procs: procsNewCommune},
		{Code: "XA.HOALAC", Name: "UBND xã Hòa Lạc", Level: "commune", ValidFrom: reform, area: "H.THACHTHAT",
			Aliases: []string{"Xã Hòa Lạc", "UBND xã Hoà Lạc", "UBND xa Hoa Lac"},
			agency:  "000.42.32.H41", m2026: "M41.032.42", weight: 0.05,
			q: tweak(qGood, func(q *quality) { q.online = 0.6; q.onTime = 0.93; q.synced = 1 }), procs: procsNewCommune},
		{Code: "PH.SONTAY", Name: "UBND phường Sơn Tây", Level: "commune", ValidFrom: reform, area: "H.SONTAY",
			Aliases: []string{"Phường Sơn Tây", "UBND phuong Son Tay", "Bộ phận một cửa phường Sơn Tây"},
			agency:  "000.40.33.H41", m2026: "M41.033.40", weight: 0.09,
			q: tweak(qAvg, func(q *quality) { q.online = 0.5; q.onTime = 0.82 }), procs: procsNewCommune},
		{Code: "PH.TUNGTHIEN", Name: "UBND phường Tùng Thiện", Level: "commune", ValidFrom: reform, area: "H.SONTAY",
			Aliases: []string{"Phường Tùng Thiện", "UBND phuong Tung Thien"},
			agency:  "000.41.33.H41", m2026: "M41.033.41", weight: 0.035,
			q: tweak(qAvg, func(q *quality) { q.online = 0.28; q.onTime = 0.7 }), procs: procsNewCommune},
		{Code: "XA.PHUCTHO", Name: "UBND xã Phúc Thọ", Level: "commune", ValidFrom: reform, area: "H.PHUCTHO",
			Aliases: []string{"Xã Phúc Thọ", "UBND xa Phuc Tho"},
			agency:  "000.40.34.H41", m2026: "M41.034.40", weight: 0.045,
			q: tweak(qPoor, func(q *quality) { q.online = 0.16; q.synced = 0.7 }), procs: procsNewCommune},
		{Code: "XA.HATMON", Name: "UBND xã Hát Môn", Level: "commune", ValidFrom: reform, area: "H.PHUCTHO",
			Aliases: []string{"Xã Hát Môn", "UBND xa Hat Mon"},
			agency:  "000.41.34.H41", m2026: "M41.034.41", weight: 0.025,
			q: tweak(qAvg, func(q *quality) { q.online = 0.25; q.onTime = 0.75; q.rated = 0.3 }), procs: procsNewCommune},
	}
}

// life is the span [from, to) in which the demo generates dossiers
// received by u: the data's span cut to the unit's validity, except that a
// unit with lateExports goes on receiving (under its old name) after its
// valid_to.
func (u *unit) life() (from, to time.Time) {
	from, to = firstDay, lastDay.AddDate(0, 0, 1)
	if u.ValidFrom != "" {
		if vf := mustDate(u.ValidFrom); vf.After(from) {
			from = vf
		}
	}
	if u.ValidTo != "" && !u.lateExports {
		if vt := mustDate(u.ValidTo); vt.Before(to) {
			to = vt
		}
	}
	return from, to
}

func mustDate(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, ict)
	if err != nil {
		panic("samplegen: bad date " + s)
	}
	return t
}

// unitsCSV renders the registry in the units.csv contract format (UTF-8
// without BOM, LF line ends, aliases joined by "|").
func unitsCSV(units []*unit) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"unit_code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "aliases"})
	for _, u := range units {
		_ = w.Write([]string{u.Code, u.Name, u.Level, u.Parent, u.ValidFrom, u.ValidTo, u.Successor, strings.Join(u.Aliases, "|")})
	}
	w.Flush()
	return b.Bytes()
}

// unitByCode finds a unit of the list; it panics on a typo in the source
// table, which tests exercise.
func unitByCode(units []*unit, code string) *unit {
	for _, u := range units {
		if u.Code == code {
			return u
		}
	}
	panic("samplegen: unknown unit " + code)
}
