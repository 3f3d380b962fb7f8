package datasets

import (
	"fmt"
	"strings"

	"github.com/cchc/cchc/sources"
)

// pointColumns are the sheet columns whose figures a merged cell must not
// give to two leaves.
var pointColumns = []string{"max_points", "self_points", "appraised_points"}

// checkMergedPoints fails a sheet whose points cell is merged down over two
// or more leaves: the decoder copies the merged value into every covered
// cell (sources.DecodeOptions.Merged), so a figure written once would
// count for each leaf (a maximum of 1 merged over two alternatives gives
// the criterion 2). Which leaf the figure belongs to is the council's to
// say, not the reader's: the file fails, naming the cells. A range over a
// parent and one leaf is harmless (a parent's figures are only checked),
// and so are the survey field's points cells (ignored), its maxima aside.
func checkMergedPoints(sh *Sheet, rows []row, merged []sources.CellRange, file string) error {
	if len(merged) == 0 {
		return nil
	}
	// The header parseSheet found (the same search, the same answer).
	idx, header, _, ok := findHeader(rows, sheetColumns, sheetRequired)
	if !ok {
		return nil
	}
	type pcol struct{ name, header string }
	cols := map[int]pcol{} // 1-based column → its canonical name and header text
	for _, name := range pointColumns {
		if i, ok := idx[name]; ok {
			cols[i+1] = pcol{name, cell(header, i)}
		}
	}
	var bad []string
	for _, m := range merged {
		if m.Bottom <= m.Top {
			continue
		}
		var leaves, scored []string
		for _, n := range sh.Nodes {
			if n.Leaf && n.Row >= m.Top && n.Row <= m.Bottom {
				leaves = append(leaves, n.Code)
				if !n.Survey {
					scored = append(scored, n.Code)
				}
			}
		}
		for c := m.Left; c <= m.Right; c++ {
			p, ok := cols[c]
			if !ok {
				continue
			}
			if len(leaves) < 2 || (p.name != "max_points" && len(scored) < 2) {
				continue
			}
			bad = append(bad, fmt.Sprintf("ô %s (cột «%s») gộp qua các tiêu chí %s", m.Ref(), p.header, strings.Join(leaves, ", ")))
			break
		}
		if len(bad) >= 10 {
			break
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("tệp %s: %s: điểm ghi trong ô gộp sẽ bị tính cho mỗi tiêu chí; bỏ gộp ô và ghi điểm riêng cho từng tiêu chí (tiêu chí không được điểm ghi 0) rồi nộp lại bảng điểm",
		file, strings.Join(bad, "; "))
}
