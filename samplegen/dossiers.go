package samplegen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// status is the canonical dossier status (docs/contract.md, "The canonical dossier").
type status int

const (
	stProcessing status = iota
	stSupplement
	stResolved
	stReturned
	stRejected
	stWithdrawn
	stStopped
	nStatus
)

var statusNames = [nStatus]string{"processing", "supplement_requested", "resolved", "returned", "rejected", "withdrawn", "stopped"}

func (s status) String() string { return statusNames[s] }

// dossier is the whole life of one dossier, from receipt to the horizon of
// the data. What an export shows of it depends on the export time: see at.
type dossier struct {
	unit     *unit
	code     string
	proc     *procedure
	channel  string    // online, direct or postal
	received time.Time // ICT
	due      time.Time // zero: the procedure has no deadline
	finished time.Time // first terminal status; zero: never finishes
	returned time.Time // result handed back; zero: never (or not applicable)
	final    status    // stResolved (becomes stReturned at returned), stRejected, stWithdrawn or stStopped
	suppK    int       // supplement requests
	suppDays float64   // days the clock stood still
	suppFrom time.Time // the (last) supplement request

	paid, synced, digDossier, digResult, reused bool
	rating                                      string // "", very_satisfied, satisfied, dissatisfied

	person *person
	bad    *badRow // non-nil: a deliberately invalid row
	seq    int     // generation order, to keep sorting stable
}

// snap is a dossier as an export taken at one moment shows it.
type snap struct {
	status    status
	finished  time.Time
	returned  time.Time
	suppK     int
	suppDays  float64 // 0: not shown
	rating    string
	digResult bool
}

// at returns what an export taken at t shows of d. Only dossiers received
// before t are exported.
func (d *dossier) at(t time.Time) snap {
	s := snap{status: stProcessing}
	if !d.finished.IsZero() && !d.finished.After(t) {
		s.finished = d.finished
		s.suppK, s.suppDays = d.suppK, d.suppDays
		s.status = d.final
		if d.final == stResolved {
			s.digResult = d.digResult
			if !d.returned.IsZero() && !d.returned.After(t) {
				s.status = stReturned
				s.returned = d.returned
				s.rating = d.rating
			}
		}
		return s
	}
	if d.suppK > 0 && !t.Before(d.suppFrom) {
		s.suppK = d.suppK
		if t.Before(d.suppFrom.Add(days(d.suppDays))) {
			s.status = stSupplement
		} else {
			s.suppDays = d.suppDays
		}
	}
	return s
}

func (s snap) equal(o snap) bool {
	return s.status == o.status && s.finished.Equal(o.finished) && s.returned.Equal(o.returned) &&
		s.suppK == o.suppK && s.suppDays == o.suppDays && s.rating == o.rating && s.digResult == o.digResult
}

// open reports whether the dossier was still being handled (a system's
// "open dossiers" list: processing or waiting for the citizen).
func (s snap) open() bool {
	return s.status == stProcessing || s.status == stSupplement
}

func days(f float64) time.Duration { return time.Duration(f * 24 * float64(time.Hour)) }

// lifeGen draws dossier lives for one unit.
type lifeGen struct {
	u       *unit
	r       *rand.Rand
	office  *dayTable // receipt days for direct and postal submissions
	anyDay  *dayTable // receipt days for online submissions
	procCum []float64
}

func newLifeGen(u *unit, r *rand.Rand) *lifeGen {
	from, end := u.life()
	return newLifeGenIn(u, r, from, end.AddDate(0, 0, -1))
}

// newLifeGenIn draws dossiers of u received from day from to day to
// inclusive.
func newLifeGenIn(u *unit, r *rand.Rand, from, to time.Time) *lifeGen {
	g := &lifeGen{u: u, r: r, office: newDayTable(from, to, false), anyDay: newDayTable(from, to, true)}
	sum := 0.0
	for _, p := range u.procs {
		sum += p.weight
		g.procCum = append(g.procCum, sum)
	}
	return g
}

// suppChoices are the supplement durations seen in exports, in days.
var suppChoices = []float64{0.5, 1, 1, 1.5, 2, 2, 2.5, 3, 3, 4, 5, 7, 10}

// next draws one dossier. A non-zero onDay forces the receipt day (used for
// the deliberately bad rows, which must fall into a given export window).
func (g *lifeGen) next(onDay time.Time) *dossier {
	r, q := g.r, g.u.q
	p := &g.u.procs[sort.SearchFloat64s(g.procCum, r.Float64()*g.procCum[len(g.procCum)-1])]
	d := &dossier{unit: g.u, proc: p, channel: "direct"}

	x := r.Float64()
	switch {
	case p.online != "none" && x < q.online*map01(p.online == "full", 1.15, 0.75):
		d.channel = "online"
	case x > 1-q.postal:
		d.channel = "postal"
	}

	dd := onDay
	if dd.IsZero() {
		if d.channel == "online" {
			dd = g.anyDay.pick(r)
		} else {
			dd = g.office.pick(r)
		}
	}
	switch {
	case d.channel == "online" && (!isWorkingDay(dd) || r.Float64() < 0.25):
		d.received = at(dd, 6, 0).Add(time.Duration(r.IntN(17*60)) * time.Minute)
	case dd.Weekday() == time.Saturday:
		d.received = at(dd, 7, 30).Add(time.Duration(r.IntN(4*60)) * time.Minute)
	default:
		d.received, _ = officeTime(r, dd, dd)
	}
	if p.days > 0 {
		d.due = at(addWorkingDays(dd, p.days), 17, 0)
	}

	// Outcome: the thresholds split one draw so that every unit consumes
	// the random stream the same way (twins stay in step).
	y := r.Float64()
	late := false
	switch {
	case y < q.reject:
		d.final = stRejected
		d.finished = g.workTime(d.received, 1+r.IntN(max(1, p.days/2)))
	case y < q.reject+q.withdraw:
		d.final = stWithdrawn
		d.finished = g.workTime(d.received, r.IntN(5))
	case y < q.reject+q.withdraw+q.stop:
		d.final = stStopped
		d.finished = g.workTime(d.received, 2+r.IntN(9))
	case y < q.reject+q.withdraw+q.stop+q.stuck:
		// Never finishes: part of the overdue backlog.
		d.final = stResolved
		if r.Float64() < q.supplement*2 {
			d.suppK, d.suppDays = 1, suppChoices[r.IntN(len(suppChoices))]
			d.suppFrom = g.workTime(d.received, 1+r.IntN(5))
		}
	default:
		d.final = stResolved
		var eff time.Time
		switch {
		case d.due.IsZero():
			eff = g.workTime(d.received, weighted(r, []float64{6, 3, 1, 0.5}))
		case r.Float64() < q.onTime:
			ok := false
			if r.Float64() < q.early {
				eff, ok = g.early(d.received, d.due)
			}
			if !ok {
				eff, ok = officeTime(r, day(d.due), d.received.Add(15*time.Minute))
				if !ok {
					eff = d.due
				}
			}
		default:
			late = true
			eff = g.workTime(d.due, 1+r.IntN(q.maxLate))
		}
		if r.Float64() < q.supplement {
			d.suppK = 1 + weighted(r, []float64{15, 4, 1})
			eff = g.supplement(d, eff)
		}
		d.finished = eff.Add(days(d.suppDays))
		switch {
		case r.Float64() < q.uncollect:
			// Result ready, never collected.
		case d.channel == "online" && p.online == "full" && r.Float64() < 0.6:
			d.returned = d.finished.Add(time.Duration(1+r.IntN(30)) * time.Minute)
		default:
			d.returned = g.workTime(d.finished, weighted(r, []float64{3, 4, 2, 1}))
		}
		d.digResult = r.Float64() < q.digResult
		if r.Float64() < q.rated {
			z := r.Float64()
			dissat := q.dissat
			if late {
				dissat *= 4
			}
			switch {
			case z < dissat:
				d.rating = "dissatisfied"
			case z < dissat+q.verySat:
				d.rating = "very_satisfied"
			default:
				d.rating = "satisfied"
			}
		}
	}

	onlineBoost := map01(d.channel == "online", 1, 0.15)
	d.paid = p.fee && r.Float64() < q.paidOnline*onlineBoost
	d.synced = r.Float64() < q.synced
	d.digDossier = r.Float64() < min(1, q.digDossier*map01(d.channel == "online", 1.2, 0.9))
	d.reused = r.Float64() < q.reused
	return d
}

// workTime is an office-hours moment n working days after t (n == 0: later
// the same day if the office is still open, else the next working day).
func (g *lifeGen) workTime(t time.Time, n int) time.Time {
	d := addWorkingDays(day(t), n)
	if n == 0 && !isWorkingDay(d) {
		d = addWorkingDays(d, 1)
	}
	for {
		if w, ok := officeTime(g.r, d, t.Add(10*time.Minute)); ok {
			return w
		}
		d = addWorkingDays(d, 1)
	}
}

// supplement draws the supplement days of a dossier whose clock would stop
// at eff, and returns eff adjusted so that finished = eff + days falls in
// office hours of a working day. The outcome class is kept: only the time
// of day of eff moves, never its day.
//
// Half days are why eff may move: finished = eff + 2.5 days lands in the
// afternoon only when eff is in the small hours, so eff is put there, and
// half days are drawn only when that stays after the receipt day.
func (g *lifeGen) supplement(d *dossier, eff time.Time) time.Time {
	r := g.r
	e := day(eff)
	var s float64
	for try := 0; try < 12; try++ {
		s = suppChoices[r.IntN(len(suppChoices))]
		half := s != math.Trunc(s)
		if half && !e.After(day(d.received)) {
			continue
		}
		if isWorkingDay(e.AddDate(0, 0, int(s))) {
			break
		}
	}
	if s != math.Trunc(s) {
		if e.After(day(d.received)) {
			eff = at(e, 1, 30).Add(time.Duration(r.IntN(210)) * time.Minute)
		} else {
			s = math.Ceil(s)
		}
	}
	d.suppDays = s
	span := eff.Sub(d.received)
	d.suppFrom = d.received.Add(time.Duration(float64(span) * (0.1 + 0.5*r.Float64()))).Truncate(time.Minute)
	return eff
}

// early picks a finish on a working day before the due day.
func (g *lifeGen) early(received, due time.Time) (time.Time, bool) {
	var cands []time.Time
	for d := day(received); d.Before(day(due)); d = d.AddDate(0, 0, 1) {
		if isWorkingDay(d) {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return time.Time{}, false
	}
	i := g.r.IntN(len(cands))
	for k := range cands {
		if t, ok := officeTime(g.r, cands[(i+k)%len(cands)], received.Add(15*time.Minute)); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

func map01(b bool, yes, no float64) float64 {
	if b {
		return yes
	}
	return no
}

// weighted draws an index with the given relative weights.
func weighted(r *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	y := r.Float64() * sum
	for i, x := range w {
		if y < x {
			return i
		}
		y -= x
	}
	return len(w) - 1
}

// assignCodes sorts a unit's dossiers by receipt and gives each its code,
// numbered per unit and day from 0001.
func assignCodes(ds []*dossier) {
	sort.SliceStable(ds, func(i, j int) bool {
		if !ds[i].received.Equal(ds[j].received) {
			return ds[i].received.Before(ds[j].received)
		}
		return ds[i].seq < ds[j].seq
	})
	n, last := 0, time.Time{}
	for _, d := range ds {
		if dd := day(d.received); !dd.Equal(last) {
			n, last = 0, dd
		}
		n++
		d.code = dossierCode(d.unit, d.received, n, d.channel)
	}
}

// changeover is the day the 2026 code format MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX
// replaces the older formats at district and commune one-stop desks.
var changeover = time.Date(2026, 7, 1, 0, 0, 0, 0, ict)

// dossierCode renders the three code formats of docs/contract.md, consistent with
// the unit and the receipt day: departments use 000.00.12.H41-YYMMDD-NNNN
// throughout; districts H41.31-YYMMDD-NNNN and communes
// 000.21.31.H41-YYMMDD-NNNN until June, then the 2026 format, where AA is
// the desk (01 direct, 02 online, 03 postal).
func dossierCode(u *unit, received time.Time, n int, channel string) string {
	ymd := received.Format("060102")
	if u.Level != "department" && !received.Before(changeover) {
		aa := map[string]string{"direct": "01", "online": "02", "postal": "03"}[channel]
		return fmt.Sprintf("%s-%s-%s%04d", u.m2026, ymd, aa, n)
	}
	if u.Level == "district" {
		return fmt.Sprintf("H41.%s-%s-%04d", u.short, ymd, n)
	}
	return fmt.Sprintf("%s-%s-%04d", u.agency, ymd, n)
}
