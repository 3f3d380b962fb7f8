package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/datasets"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/transforms"
	"github.com/cchc/cchc/units"
	"github.com/cchc/cchc/warehouse"
)

// FileCheck is what Check found in one file: how its header maps and how
// many rows of its first batch would be quarantined.
type FileCheck struct {
	Source, Path string
	Format       string
	Encoding     string
	Mapping      transforms.Mapping
	Sampled      int64 // rows of the first batch checked
	Rejected     []transforms.RowError
	// Orphaned counts, per unit, the checked rows naming a unit dissolved
	// on or before the day they were received that has no successor_code:
	// they would count for the dissolved unit, which is not ranked.
	Orphaned map[string]int
	Err      error
	// Dataset is the source's dataset; Sheet the scoring sheet read, for
	// par_appraisal (unit, period, tree).
	Dataset string
	Sheet   *datasets.Sheet
}

// SourceCheck is what Check found in one source.
type SourceCheck struct {
	Source string
	Where  string // the path glob or URL
	Err    error  // listing failed
	Files  []FileCheck
}

// Check inspects every source (reachable, files decodable, headers mapped,
// a first batch of rows transformable) without writing anything beside the
// warehouse. HTTP exports are downloaded into the runs' downloads folder
// only when it exists and belongs to this user (what a killed check leaves
// there, the next run removes); else into a private folder under TMPDIR,
// removed when the check ends (or, when the process is killed, by the
// next validate: RemoveStaleValidateDirs). Check never creates the runs'
// folder: made by `sudo cchc validate`, it would belong to root and fail
// the service user's runs.
func Check(ctx context.Context, cfg *config.Config, reg *units.Registry, names []string) ([]SourceCheck, error) {
	downloads := warehouse.DownloadDir(cfg.Warehouse)
	if checksHTTP(cfg, names) && !warehouse.Owns(downloads) {
		tmp, release, err := makeValidateDir(os.TempDir())
		if err != nil {
			return nil, &TempDirError{Dir: os.TempDir(), Err: err}
		}
		defer release()
		downloads = tmp
	}
	srcs, err := sourcesIn(cfg, names, downloads)
	if err != nil {
		return nil, err
	}
	var out []SourceCheck
	for _, sc := range srcs {
		chk := SourceCheck{Source: sc.src.Name(), Where: sc.where()}
		files, err := sc.src.List(ctx)
		if err != nil {
			chk.Err = err
			out = append(out, chk)
			continue
		}
		for _, ref := range files {
			fc := checkFile(ctx, cfg, sc, reg, ref)
			chk.Files = append(chk.Files, fc)
			if late := (*sources.DeadlineError)(nil); errors.As(fc.Err, &late) {
				break // the source's time ran out: every file after would fail the same
			}
		}
		out = append(out, chk)
	}
	return out, nil
}

// checksHTTP reports whether one of the sources checked (names, or all)
// is an HTTP source.
func checksHTTP(cfg *config.Config, names []string) bool {
	for _, s := range cfg.Sources {
		if s.Kind == "http" && (len(names) == 0 || slices.Contains(names, s.Name)) {
			return true
		}
	}
	return false
}

func checkFile(ctx context.Context, cfg *config.Config, sc sourceConf, reg *units.Registry, ref sources.FileRef) (fc FileCheck) {
	fc = FileCheck{Source: ref.Source, Path: sources.Redact(ref.Path), Dataset: datasetOf(sc).Name}
	defer func() {
		if p := recover(); p != nil {
			fc.Err = fmt.Errorf("lỗi nội bộ của cchc khi đọc tệp; báo nhóm phát triển kèm tệp này (internal error while reading: %v)", p)
		}
	}()
	switch {
	case ref.Err != nil:
		fc.Err = ref.Err
		return fc
	case ref.Skipped != "":
		fc.Err = errors.New(ref.Skipped)
		return fc
	}
	path, cleanup, err := sc.src.Fetch(ctx, ref)
	if err != nil {
		fc.Err = err
		return fc
	}
	defer cleanup()
	if d := datasetOf(sc); !d.Streamed() {
		p, err := parseFile(d, parseInput(cfg, sc, reg, path, &warehouse.FileResult{Source: ref.Source, Path: fc.Path}))
		fc.Format, fc.Encoding, fc.Err = p.Format, p.Encoding, err
		fc.Mapping, fc.Sampled, fc.Rejected, fc.Sheet = p.Mapping, p.RowsRead(), p.Rejections, p.Sheet
		return fc
	}
	raw, rec, m, err := openMapped(path, sc, transforms.MapOptions{Units: reg, DefaultUnit: sc.cfg.Unit, Source: ref.Source, File: fc.Path}, 1000)
	if raw != nil {
		fc.Format, fc.Encoding = raw.Format(), raw.Encoding()
	}
	if err != nil {
		fc.Err = err
		return fc
	}
	defer raw.Close()
	defer m.Release()
	fc.Mapping = m.Mapping()
	if rec != nil {
		out, errs := m.Apply(raw.Header(), rec)
		rec.Release()
		fc.Sampled = out.NumRows()
		fc.Orphaned = orphaned(out, reg)
		out.Release()
		fc.Rejected = errs
		fc.Mapping = m.Mapping()
	}
	return fc
}

// orphaned counts the valid rows of rec that name a unit dissolved (valid_to
// on or before the received day) without a successor.
func orphaned(rec arrow.Record, reg *units.Registry) map[string]int {
	dissolved := map[string]time.Time{}
	for _, u := range reg.Units {
		if u.ValidTo != nil && u.SuccessorCode == "" {
			dissolved[u.Code] = *u.ValidTo
		}
	}
	if len(dissolved) == 0 {
		return nil
	}
	unit, _ := rec.Column(transforms.FUnitCode).(*array.String)
	recv, _ := rec.Column(transforms.FReceivedAt).(*array.Timestamp)
	bad, _ := rec.Column(transforms.FQReason).(*array.String)
	if unit == nil || recv == nil || bad == nil {
		return nil
	}
	var out map[string]int
	for i := 0; i < int(rec.NumRows()); i++ {
		if bad.IsValid(i) || unit.IsNull(i) || recv.IsNull(i) {
			continue
		}
		to, ok := dissolved[unit.Value(i)]
		// Stage timestamps are naive wall-clock microseconds, as valid_to is.
		if ok && !time.UnixMicro(int64(recv.Value(i))).UTC().Before(to) {
			if out == nil {
				out = map[string]int{}
			}
			out[unit.Value(i)]++
		}
	}
	return out
}

// TempDirError is Check failing to make its private download folder: the
// machine's temporary folder (TMPDIR) is missing or not writable. Not a
// mistake in the config: `cchc validate` exits 1 on it, not 2.
type TempDirError struct {
	Dir string
	Err error
}

func (e *TempDirError) Error() string {
	return fmt.Sprintf("không tạo được thư mục tạm trong %s để tải các tệp cần kiểm tra (%v): hãy đặt TMPDIR là một thư mục ghi được, hoặc chạy cchc validate bằng người dùng sở hữu thư mục tải về của kho", e.Dir, e.Err)
}

func (e *TempDirError) Unwrap() error { return e.Err }
