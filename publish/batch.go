package publish

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// batch is what the periods published together need from the warehouse,
// read with one query per table for all of them (loadBatch) rather than
// some twelve small queries per period: on the 1M warehouse's 18 periods,
// each of those queries cost 1 to 20 ms, mostly DuckDB's own overhead.
// It is only read once loaded, so the periods' goroutines share it; each
// period's publication (fill) copies what it changes.
type batch struct {
	periods map[string][]periodInfo
	// par are the periods with CCHC index scores (par_scores): only they
	// run loadPAR's queries.
	par          map[string]bool
	lastRun      *lastRun
	staleSources []string // loaded when freshness is on and a run modelled
	mergers      map[string][]merger
	rankings     map[string][]ranking // rows, before finishRankings
	rankingErr   map[string]error     // periods whose rows cannot be published
	groups       map[methodologyKey][]group
	indicators   map[string]map[methodologyKey][]indicator
	titles       map[methodologyKey]string
	stats        map[string][]statsLevel // with xlsx only
}

// loadBatch reads what publishing periods needs (each a valid period
// name), form II.06a figures only with xlsx. The dossier_stats query, the
// dearest, runs on a second connection meanwhile.
func loadBatch(ctx context.Context, db *sql.DB, periods []string, opts Options, formats map[string]bool) (*batch, error) {
	b := &batch{}
	stats := make(chan error, 1)
	if formats["xlsx"] {
		go func() {
			var err error
			b.stats, err = loadStats(ctx, db, periods)
			stats <- err
		}()
	} else {
		stats <- nil
	}
	err := b.loadRest(ctx, db, periods, opts)
	if serr := <-stats; err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// loadRest is loadBatch but for the form II.06a figures.
func (b *batch) loadRest(ctx context.Context, db *sql.DB, periods []string, opts Options) error {
	var err error
	if b.periods, err = loadPeriods(ctx, db, periods); err != nil {
		return err
	}
	if b.par, err = parPeriods(ctx, db, periods); err != nil {
		return err
	}
	if b.lastRun, err = loadLastRun(ctx, db); err != nil {
		return err
	}
	if opts.Freshness > 0 && b.lastRun != nil {
		// Sources are judged at the last modelled run, like units: a
		// period long over still says which sources went quiet since.
		if b.staleSources, err = loadStaleSources(ctx, db, b.lastRun.Started.Add(-opts.Freshness)); err != nil {
			return err
		}
	}
	if b.mergers, err = loadMergersOf(ctx, db, periods); err != nil {
		return err
	}
	if b.rankings, b.rankingErr, err = loadRankingRows(ctx, db, periods); err != nil {
		return err
	}
	if b.groups, err = loadGroups(ctx, db); err != nil {
		return err
	}
	if b.indicators, err = loadIndicators(ctx, db, periods); err != nil {
		return err
	}
	b.titles, err = loadTitles(ctx, db, "service")
	return err
}

// parPeriods are those of the periods listed that have par_scores rows.
func parPeriods(ctx context.Context, db *sql.DB, periods []string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT period FROM par_scores WHERE period IN (SELECT unnest(string_split(?, ',')))`, periodList(periods))
	if err != nil {
		return nil, fmt.Errorf("par_scores query: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("par_scores query: %w", err)
		}
		out[p] = true
	}
	return out, rows.Err()
}

// fill sets the rankings (with xlsx, the form II.06a figures), the latest
// run, the stale sources and the mergers of pub.Period from the batch.
func (b *batch) fill(pub *publication, opts Options) error {
	period := pub.Period.Period
	pub.Stats = b.stats[period]
	pub.LastRun = b.lastRun
	var staleBefore *time.Time
	if opts.Freshness > 0 {
		// Stale means older than Freshness before the period's end or, for
		// a period still running, before the latest run started.
		asOf := pub.Period.End
		if pub.LastRun != nil && pub.LastRun.Started.Before(asOf) {
			asOf = pub.LastRun.Started
		}
		t := asOf.Add(-opts.Freshness)
		staleBefore = &t
		pub.StaleSources = b.staleSources
	}
	pub.Mergers = b.mergers[period]
	if err := b.rankingErr[period]; err != nil {
		return err
	}
	var err error
	if pub.Rankings, err = finishRankings(b.rankings[period], staleBefore, b.groups, b.indicators[period], b.titles); err != nil {
		return err
	}
	noteMergers(pub.Rankings, pub.Mergers)
	return nil
}
