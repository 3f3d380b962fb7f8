package samplegen

import (
	"math/rand/v2"
	"sort"
	"time"
)

// ict is Vietnam time. A fixed zone rather than time.LoadLocation keeps the
// generator independent of the host's tzdata (Vietnam has no DST).
var ict = time.FixedZone("ICT", 7*3600)

// The data covers dossiers received from firstDay to lastDay inclusive.
var (
	firstDay = time.Date(2024, 1, 1, 0, 0, 0, 0, ict)
	lastDay  = time.Date(2026, 10, 31, 0, 0, 0, 0, ict)
)

// holidays are the public holidays falling on weekdays from 2024 to 2026
// (Tết Dương lịch; Tết Nguyên đán 8–14/2/2024, 25/1–2/2/2025, 14–22/2/2026;
// Giỗ Tổ Hùng Vương 18/4/2024, 7/4/2025, observed on Monday 27/4/2026;
// 30/4–1/5 with the swapped days 29/4/2024 and 2/5/2025; Quốc khánh 2–3/9/2024,
// 1–2/9/2025, 1–2/9/2026), keyed by ymdKey. Looked up, never iterated.
var holidays = map[int]bool{
	20240101: true,
	20240208: true, 20240209: true, 20240212: true, 20240213: true, 20240214: true,
	20240418: true, 20240429: true, 20240430: true, 20240501: true,
	20240902: true, 20240903: true,
	20250101: true,
	20250127: true, 20250128: true, 20250129: true, 20250130: true, 20250131: true,
	20250407: true, 20250430: true, 20250501: true, 20250502: true,
	20250901: true, 20250902: true,
	20260101: true,
	20260216: true, 20260217: true, 20260218: true, 20260219: true, 20260220: true,
	20260427: true, 20260430: true, 20260501: true,
	20260901: true, 20260902: true,
}

// ymdKey is d as the number YYYYMMDD (cheaper than formatting it).
func ymdKey(d time.Time) int {
	y, m, dd := d.Date()
	return y*10000 + int(m)*100 + dd
}

func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ict)
}

func isWorkingDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !holidays[ymdKey(d)]
}

// addWorkingDays returns the n-th working day after day d (n ≥ 1), or d
// itself for n == 0.
func addWorkingDays(d time.Time, n int) time.Time {
	d = day(d)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if isWorkingDay(d) {
			n--
		}
	}
	return d
}

// at returns day d at hh:mm.
func at(d time.Time, hh, mm int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, ict)
}

// officeTime picks a moment of the office hours of day d (07:30–11:30 and
// 13:30–17:00) not before notBefore; ok is false when none is left that day.
func officeTime(r *rand.Rand, d, notBefore time.Time) (time.Time, bool) {
	type span struct{ from, to time.Time }
	spans := []span{{at(d, 7, 30), at(d, 11, 30)}, {at(d, 13, 30), at(d, 17, 0)}}
	var total time.Duration
	for i := range spans {
		if spans[i].from.Before(notBefore) {
			spans[i].from = notBefore
		}
		if spans[i].to.After(spans[i].from) {
			total += spans[i].to.Sub(spans[i].from)
		}
	}
	minutes := int(total / time.Minute)
	if minutes < 1 {
		return time.Time{}, false
	}
	off := time.Duration(r.IntN(minutes)) * time.Minute
	for _, s := range spans {
		if l := s.to.Sub(s.from); l > 0 {
			if off < l {
				return s.from.Add(off).Truncate(time.Minute), true
			}
			off -= l
		}
	}
	return time.Time{}, false
}

// dayTable draws receipt days: working days by a monthly seasonality
// (fewer around Tết, more in spring), Saturday mornings rarely, and for
// online submissions also Sundays and holidays.
type dayTable struct {
	days []time.Time
	cum  []float64
}

var seasonality = [13]float64{0, 1.05, 0.72, 1.12, 1.05, 1.0, 1.0, 0.95, 1.03, 0.96, 1.06, 1.04, 1.12}

func newDayTable(from, to time.Time, online bool) *dayTable {
	t := &dayTable{}
	sum := 0.0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		w := seasonality[d.Month()]
		switch {
		case isWorkingDay(d):
		case d.Weekday() == time.Saturday && !holidays[ymdKey(d)]:
			w *= 0.05
			if online {
				w *= 4
			}
		case online:
			w *= 0.12
		default:
			w = 0
		}
		if w == 0 {
			continue
		}
		sum += w
		t.days = append(t.days, d)
		t.cum = append(t.cum, sum)
	}
	return t
}

func (t *dayTable) pick(r *rand.Rand) time.Time {
	x := r.Float64() * t.cum[len(t.cum)-1]
	return t.days[sort.SearchFloat64s(t.cum, x)]
}
