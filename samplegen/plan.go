package samplegen

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path"
	"sort"
	"time"
)

// rng returns the random stream named key. Every part of the generator
// draws from its own named stream, so adding a source or a column does not
// shift the dossiers of the others.
func rng(seed uint64, key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// demoSet is everything the demo writes, fully decided before any byte is
// written.
type demoSet struct {
	opts    Options
	units   []*unit
	sources []*sourceSpec
	files   []*fileOut // in load order: export time, then path
}

// fileOut is one export file: its rows in file order.
type fileOut struct {
	src  *sourceSpec
	win  window
	path string // relative to the demo folder, with forward slashes
	rows []*row
}

// row is one data row of a file.
type row struct {
	d     *dossier
	s     snap
	cells []cell
	dup   bool // an exact copy of an earlier row of the same file
}

// allocate splits total dossiers among units by weight times the share of
// the data's span the unit lives (largest remainder); units sharing a
// lifeKey get the same count, the difference going to the largest unit.
func allocate(total int, units []*unit) []int {
	// A unit's weight is per day of its life in the data's span.
	span := lastDay.AddDate(0, 0, 1).Sub(firstDay).Hours()
	ws := make([]float64, len(units))
	sum := 0.0
	for i, u := range units {
		from, to := u.life()
		ws[i] = u.weight * to.Sub(from).Hours() / span
		sum += ws[i]
	}
	counts := make([]int, len(units))
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(units))
	given := 0
	for i := range units {
		exact := float64(total) * ws[i] / sum
		counts[i] = int(exact)
		given += counts[i]
		rems[i] = rem{i, exact - float64(counts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for k := 0; given < total; k++ {
		counts[rems[k%len(rems)].i]++
		given++
	}
	largest := 0
	for i := range units {
		if counts[i] > counts[largest] {
			largest = i
		}
	}
	for i, u := range units {
		for j := 0; j < i; j++ {
			if u.lifeKey != "" && units[j].lifeKey == u.lifeKey && counts[i] != counts[j] {
				counts[largest] += counts[i] - counts[j]
				counts[i] = counts[j]
			}
		}
	}
	return counts
}

// build decides the whole demo set.
func build(opts Options) (*demoSet, error) {
	set := &demoSet{opts: opts, units: registry(), sources: demoSources()}
	counts := allocate(opts.Dossiers, set.units)
	perUnit := make([][]*dossier, len(set.units))
	unitIndex := func(code string) int {
		for i, u := range set.units {
			if u.Code == code {
				return i
			}
		}
		panic("samplegen: unknown unit " + code)
	}

	for i, u := range set.units {
		key := u.lifeKey
		if key == "" {
			key = u.Code
		}
		g := newLifeGen(u, rng(opts.Seed, "life:"+key))
		for k := 0; k < counts[i]; k++ {
			d := g.next(time.Time{})
			d.seq = k
			perUnit[i] = append(perUnit[i], d)
		}
	}

	// The planted bad rows are extra dossiers, valid but for one defect,
	// numbered with the other dossiers of their unit and day.
	br := rng(opts.Seed, "bad")
	for _, src := range set.sources {
		for bi := range src.bad {
			b := &src.bad[bi]
			w := src.windows[b.win]
			var u *unit
			var dd time.Time
			for {
				u = unitByCode(set.units, src.units[br.IntN(len(src.units))])
				dd = w.from.AddDate(0, 0, br.IntN(int(w.to.Sub(w.from).Hours()/24)))
				if from, to := u.life(); isWorkingDay(dd) && !dd.Before(from) && dd.Before(to) {
					break
				}
			}
			d := newLifeGen(u, br).next(dd)
			d.bad = b
			d.seq = 1_000_000 + bi
			i := unitIndex(u.Code)
			perUnit[i] = append(perUnit[i], d)
		}
	}

	// Codes embed the unit and the day, so they cannot collide; checked
	// anyway because the manifest's counts rely on it.
	codes := map[string]bool{}
	for i := range set.units {
		assignCodes(perUnit[i])
		for _, d := range perUnit[i] {
			if codes[d.code] {
				return nil, fmt.Errorf("samplegen: internal error: dossier code %s twice", d.code)
			}
			codes[d.code] = true
		}
	}

	people := newPeopleGen(rng(opts.Seed, "people"))
	pr := rng(opts.Seed, "people-reuse")
	for i, u := range set.units {
		var pool []*person
		for _, d := range perUnit[i] {
			if len(pool) > 0 && pr.IntN(100) < 25 {
				d.person = pool[pr.IntN(len(pool))]
				continue
			}
			d.person = people.newPerson(u)
			pool = append(pool, d.person)
		}
	}

	for _, src := range set.sources {
		var all []*dossier
		for _, code := range src.units {
			all = append(all, perUnit[unitIndex(code)]...)
		}
		sortDossiers(all)
		files, err := planSource(opts.Seed, src, all)
		if err != nil {
			return nil, err
		}
		set.files = append(set.files, files...)
	}
	sort.SliceStable(set.files, func(i, j int) bool {
		a, b := set.files[i], set.files[j]
		if !a.win.export.Equal(b.win.export) {
			return a.win.export.Before(b.win.export)
		}
		return a.path < b.path
	})
	return set, nil
}

func sortDossiers(ds []*dossier) {
	sort.SliceStable(ds, func(i, j int) bool {
		if !ds[i].received.Equal(ds[j].received) {
			return ds[i].received.Before(ds[j].received)
		}
		return ds[i].code < ds[j].code
	})
}

// planSource decides the rows of every file of one source. all holds the
// source's dossiers sorted by receipt.
func planSource(seed uint64, src *sourceSpec, all []*dossier) ([]*fileOut, error) {
	last := map[*dossier]snap{} // looked up only; shown keeps the order
	var shown []*dossier
	var files []*fileOut
	for wi, w := range src.windows {
		r := rng(seed, "render:"+src.name+"/"+w.name)
		dl := *src.dl
		if w.date != nil {
			dl.date = w.date
		}
		var pick []*dossier
		switch {
		case w.update:
			for _, d := range shown {
				if !d.at(w.export).equal(last[d]) {
					pick = append(pick, d)
				}
			}
		default:
			for _, d := range shown {
				switch src.repeat {
				case repeatOpen:
					if last[d].open() {
						pick = append(pick, d)
					}
				case repeatChanged:
					if !d.at(w.export).equal(last[d]) {
						pick = append(pick, d)
					}
				}
			}
			for _, d := range all {
				if !d.received.Before(w.from) && d.received.Before(w.to) {
					if d.bad != nil && d.bad.win != wi {
						return nil, fmt.Errorf("samplegen: bad row of %s falls outside its window", src.name)
					}
					pick = append(pick, d)
				}
			}
		}
		sortDossiers(pick)

		f := &fileOut{src: src, win: w, path: path.Join("exports", src.name, w.name)}
		for _, d := range pick {
			if !d.received.Before(w.export) {
				return nil, fmt.Errorf("samplegen: %s: dossier %s received after the export", f.path, d.code)
			}
			s := d.at(w.export)
			f.rows = append(f.rows, &row{d: d, s: s, cells: renderRow(r, &dl, src.columns, d, s)})
			if d.bad == nil {
				if _, seen := last[d]; !seen {
					shown = append(shown, d)
				}
				last[d] = s
			}
		}
		plantDuplicates(r, f, src.dups[wi])
		for i, rw := range f.rows {
			for c, col := range src.columns {
				if col.field == colSTT {
					rw.cells[c] = cell{kind: cNum, s: fmt.Sprint(i + 1)}
				}
			}
		}
		files = append(files, f)
	}
	return files, nil
}

// plantDuplicates repeats n valid rows a few rows further down, as exports
// do when a dossier is listed twice. The later copy is the one that counts.
func plantDuplicates(r *rand.Rand, f *fileOut, n int) {
	if n == 0 {
		return
	}
	var valid []int
	for i, rw := range f.rows {
		if rw.d.bad == nil {
			valid = append(valid, i)
		}
	}
	chosen := map[int]bool{}
	var idx []int
	for len(idx) < n && len(idx) < len(valid) {
		i := valid[r.IntN(len(valid))]
		if !chosen[i] {
			chosen[i] = true
			idx = append(idx, i)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(idx)))
	for _, i := range idx {
		orig := f.rows[i]
		cp := &row{d: orig.d, s: orig.s, cells: append([]cell(nil), orig.cells...), dup: true}
		at := min(len(f.rows), i+1+r.IntN(4))
		f.rows = append(f.rows[:at], append([]*row{cp}, f.rows[at:]...)...)
	}
}

// renderRow renders a dossier's columns and applies its planted defect.
func renderRow(r *rand.Rand, dl *dialect, cols []column, d *dossier, s snap) []cell {
	cells := make([]cell, len(cols))
	for i, c := range cols {
		cells[i] = dl.render(r, c.field, d, s)
	}
	if d.bad == nil {
		return cells
	}
	set := func(f field, c cell) {
		for i, col := range cols {
			if col.field == f {
				cells[i] = c
				return
			}
		}
		panic(fmt.Sprintf("samplegen: bad row needs column %d, which the source lacks", f))
	}
	switch b := d.bad; b.kind {
	case "missing":
		set(b.column, cell{})
	case "unparseable_date", "unknown_unit", "unknown_status":
		set(b.column, textCell(b.value))
	case "due_before_received":
		set(colDue, dl.timeCell(at(day(d.received).AddDate(0, 0, -3), 17, 0)))
	case "finished_before_received":
		set(colFinished, dl.timeCell(d.received.Add(-26*time.Hour)))
		set(colStatus, textCell(dl.status[stResolved][0]))
		set(colReturned, cell{})
	default:
		panic("samplegen: unknown defect " + b.kind)
	}
	return cells
}
