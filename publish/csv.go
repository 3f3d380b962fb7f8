package publish

import (
	"encoding/csv"
	"io"
	"strings"
)

// scoreDelta is a score change: "+2,76 điểm" in text, a signed number in
// a spreadsheet.
type scoreDelta float64

// rankingHeader is the header of the ranking table (CSV and XLSX).
func rankingHeader(r ranking) []string {
	h := []string{"Hạng", "Mã đơn vị", "Tên đơn vị"}
	for _, g := range r.Groups {
		h = append(h, g.header())
	}
	return append(h, "Tổng điểm", "Xếp loại", "Hạng kỳ trước", "Thay đổi hạng", "Thay đổi điểm", "Ghi chú")
}

// rankingCells are one unit's cells under rankingHeader: a string, a score
// (float64, rounded to 2 decimals), a scoreDelta, or nil for an empty cell.
func rankingCells(row rankRow) []any {
	c := []any{formatRank(row.Rank, row.PeerCount), row.UnitCode, row.UnitName}
	for _, s := range row.Scores {
		c = append(c, score(s))
	}
	c = append(c, score(row.Total), row.Tier, formatRank(row.PrevRank, row.PrevPeer))
	if row.RankChange != nil && row.PrevRank != nil {
		c = append(c, FormatRankChange(*row.RankChange))
	} else {
		c = append(c, "")
	}
	if row.ScoreChange != nil {
		c = append(c, scoreDelta(Round2(*row.ScoreChange)))
	} else {
		c = append(c, nil)
	}
	return append(c, strings.Join(row.notes(), "; "))
}

// score is a nullable score rounded for publication; nil stays nil.
func score(p *float64) any {
	if p == nil {
		return nil
	}
	return Round2(*p)
}

// writeRankingCSV writes ranking-<peer_group>.csv for Excel: UTF-8 with a
// byte-order mark, comma-separated, CRLF line ends, Vietnamese headers and
// decimal commas (such cells are quoted). A CSV has no title: for a
// provisional period its first line, above the header, is the one-cell
// record "Số liệu tạm tính: …", where an Excel user sees it first; a
// program skips a first line starting with "Số liệu tạm tính". A final
// period's file starts with the header.
func writeRankingCSV(w io.Writer, p periodInfo, r ranking) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if p.Provisional {
		if err := cw.Write([]string{p.provisionalNote()}); err != nil {
			return err
		}
	}
	if err := cw.Write(rankingHeader(r)); err != nil {
		return err
	}
	for _, row := range r.Rows {
		cells := rankingCells(row)
		rec := make([]string, len(cells))
		for i, v := range cells {
			switch v := v.(type) {
			case string:
				rec[i] = v
			case float64:
				rec[i] = FormatScore(v)
			case scoreDelta:
				rec[i] = FormatScoreChange(float64(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
