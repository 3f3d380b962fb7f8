package samplegen

import (
	"fmt"
	"testing"
	"time"
)

func TestTmpStats(t *testing.T) {
	set, err := build(Options{Dossiers: 24000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	type acc struct{ early, ontime, late, pend, rej, n, online, paid, fee, sync, rated, dis, weekend int }
	latest := map[string]*row{}
	var order []string
	for _, f := range set.files {
		for _, r := range f.rows {
			if r.d.bad != nil {
				continue
			}
			if _, ok := latest[r.d.code]; !ok {
				order = append(order, r.d.code)
			}
			latest[r.d.code] = r
		}
	}
	per := map[string]*acc{}
	tot := &acc{}
	for _, c := range order {
		r := latest[c]
		a := per[r.d.unit.Code]
		if a == nil {
			a = &acc{}
			per[r.d.unit.Code] = a
		}
		for _, a := range []*acc{a, tot} {
			a.n++
			if r.d.channel == "online" {
				a.online++
			}
			if r.d.proc.fee {
				a.fee++
				if r.d.paid {
					a.paid++
				}
			}
			if r.d.synced {
				a.sync++
			}
			if wd := r.d.received.Weekday(); wd == time.Saturday || wd == time.Sunday {
				a.weekend++
			}
			switch r.s.status {
			case stResolved, stReturned:
				eff := r.s.finished.Add(-days(r.s.suppDays))
				switch {
				case r.d.due.IsZero():
					a.ontime++
				case day(eff).Before(day(r.d.due)):
					a.early++
				case !eff.After(r.d.due):
					a.ontime++
				default:
					a.late++
				}
			case stRejected, stWithdrawn, stStopped:
				a.rej++
			default:
				a.pend++
			}
		}
	}
	pr := func(k string, a *acc) {
		res := a.early + a.ontime + a.late
		fmt.Printf("%-12s n=%5d early=%4.1f%% ontime=%4.1f%% late=%4.1f%% (early+on of all %4.1f%%) pend=%4d rej=%3d online=%4.1f%% paid/fee=%4.1f%% sync=%4.1f%% weekend=%d\n", k, a.n,
			100*float64(a.early)/float64(res), 100*float64(a.ontime)/float64(res), 100*float64(a.late)/float64(res),
			100*float64(a.early+a.ontime)/float64(a.n), a.pend, a.rej,
			100*float64(a.online)/float64(a.n), 100*float64(a.paid)/float64(max(1, a.fee)), 100*float64(a.sync)/float64(a.n), a.weekend)
	}
	for _, u := range set.units {
		pr(u.Code, per[u.Code])
	}
	pr("TOTAL", tot)
}
