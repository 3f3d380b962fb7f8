package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// redeliveries writes the first n dossiers of the export at path that are
// still pending (no finished_at) and were received before 20 October
// 2026, as a unit's system would send them again once finished: five days
// after receipt, result returned, status "Đã trả kết quả". The rows keep
// their codes, so a run loading them replaces existing versions: the
// model subtracts the counts of the old versions and adds the new. The
// finish stays within the export's months, so no new period appears (that
// would make the run rebuild everything). It returns the rows written.
func redeliveries(w io.Writer, path string, n int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"received_at", "finished_at", "returned_at", "status"} {
		if _, ok := col[c]; !ok {
			return 0, fmt.Errorf("%s: no column %s (canonical headers expected)", path, c)
		}
	}
	out := csv.NewWriter(w)
	if err := out.Write(head); err != nil {
		return 0, err
	}
	const layout = "02/01/2006 15:04:05"
	limit := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	written := 0
	for written < n {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The export's planted defects are rows cchc quarantines;
			// encoding/csv reads them all.
			return written, fmt.Errorf("%s: %w", path, err)
		}
		if rec[col["finished_at"]] != "" {
			continue
		}
		got, err := time.Parse(layout, rec[col["received_at"]])
		if err != nil || !got.Before(limit) {
			continue
		}
		done := got.AddDate(0, 0, 5).Format(layout)
		rec[col["finished_at"]], rec[col["returned_at"]], rec[col["status"]] = done, done, "Đã trả kết quả"
		if err := out.Write(rec); err != nil {
			return written, err
		}
		written++
	}
	out.Flush()
	if written < n {
		return written, fmt.Errorf("%s: %d pending dossiers received before 20/10/2026, %d wanted", path, written, n)
	}
	return written, out.Error()
}
