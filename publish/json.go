package publish

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// rankingDoc is ranking-<peer_group>.json. Field order is the key order of
// the file; numbers are rounded to 2 decimals.
type rankingDoc struct {
	Title              string     `json:"title"` // "Số liệu tạm tính — …" for a provisional period
	Period             string     `json:"period"`
	Provisional        bool       `json:"provisional"`
	PeerGroup          string     `json:"peer_group"`
	Methodology        string     `json:"methodology"`
	MethodologyVersion string     `json:"methodology_version"`
	PeriodStart        string     `json:"period_start"`
	PeriodEnd          string     `json:"period_end"` // last day, inclusive
	IndexGroups        []groupDoc `json:"index_groups"`
	Units              []unitDoc  `json:"units"`
	// StaleSources are the sources that sent no new file for longer than
	// freshness, one remark each (empty when none or the check is off).
	StaleSources []string `json:"stale_sources"`
	// Mergers are the unit mergers that affect the period, one sentence
	// each; absent when none.
	Mergers []string `json:"mergers,omitempty"`
}

type groupDoc struct {
	Code      string  `json:"code"`
	NameVI    string  `json:"name_vi"`
	NameEN    string  `json:"name_en"`
	MaxPoints float64 `json:"max_points"`
}

type unitDoc struct {
	Rank         *int        `json:"rank"`
	PeerCount    *int        `json:"peer_count"`
	UnitCode     string      `json:"unit_code"`
	UnitName     string      `json:"unit_name"`
	Groups       groupScores `json:"groups"`
	TotalScore   *float64    `json:"total_score"`
	Tier         *string     `json:"tier"`
	PreviousRank *int        `json:"previous_rank"`
	RankChange   *int        `json:"rank_change"`
	ScoreChange  *float64    `json:"score_change"`
	Stale        bool        `json:"stale"`
	DataUntil    *string     `json:"data_until"`
	NAIndicators []string    `json:"na_indicators"`
	Note         string      `json:"note,omitempty"` // "Không có dữ liệu (không xếp hạng)", …
}

// groupScores is an object {group_code: score} whose keys keep the groups'
// display order, which a Go map would not.
type groupScores []groupScore

type groupScore struct {
	Code  string
	Score *float64
}

// MarshalJSON writes the object in slice order.
func (g groupScores) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, s := range g {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(s.Code)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(s.Score)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeRankingJSON writes ranking-<peer_group>.json: 2-space indent, a
// trailing newline, NULLs as null, "&" and "<" unescaped.
func writeRankingJSON(w io.Writer, pub publication, r ranking) error {
	p := pub.Period
	doc := rankingDoc{
		Title:              p.titled("Xếp hạng " + strings.ToLower(peerLabel(r.PeerGroup)) + ", " + PeriodVI(p.Period)),
		Period:             p.Period,
		Provisional:        p.Provisional,
		StaleSources:       append([]string{}, pub.StaleSources...),
		Mergers:            texts(pub.Mergers),
		PeerGroup:          r.PeerGroup,
		Methodology:        r.Methodology,
		MethodologyVersion: r.Version,
		PeriodStart:        p.Start.Format("2006-01-02"),
		PeriodEnd:          p.lastDay().Format("2006-01-02"),
		IndexGroups:        make([]groupDoc, len(r.Groups)),
		Units:              make([]unitDoc, len(r.Rows)),
	}
	for i, g := range r.Groups {
		doc.IndexGroups[i] = groupDoc{Code: g.Code, NameVI: g.NameVI, NameEN: g.NameEN, MaxPoints: g.Max}
	}
	for i, row := range r.Rows {
		u := unitDoc{
			Rank: row.Rank, PeerCount: row.PeerCount,
			UnitCode: row.UnitCode, UnitName: row.UnitName,
			Groups:       make(groupScores, len(r.Groups)),
			TotalScore:   rounded(row.Total),
			PreviousRank: row.PrevRank, RankChange: row.RankChange,
			ScoreChange:  rounded(row.ScoreChange),
			Stale:        row.Stale,
			NAIndicators: row.NA,
			Note:         strings.Join(row.notes(), "; "),
		}
		if row.Tier != "" {
			t := row.Tier
			u.Tier = &t
		}
		if row.DataUntil != nil {
			d := row.DataUntil.Format("2006-01-02")
			u.DataUntil = &d
		}
		for j, g := range r.Groups {
			u.Groups[j] = groupScore{Code: g.Code, Score: rounded(row.Scores[j])}
		}
		doc.Units[i] = u
	}
	enc := json.NewEncoder(w) // Encode adds the trailing newline
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // unit names keep "&", "<" readable
	return enc.Encode(doc)
}

// rounded is a nullable number rounded for publication.
func rounded(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := Round2(*p)
	return &v
}
