package samplegen

// benchRegistry is the unit list the benchmark exports (BigCSV) are drawn
// from: the demo's registry as it was before the demo covered the 2025
// reform (2026 only, departments and districts that all stand, one commune
// merger). Kept apart so that benchmark figures stay comparable while the
// demo follows the province's history: each unit is the demo's, without
// its history, but for the differences listed below.
func benchRegistry() []*unit {
	demo := registry()
	codes := []string{"H41.STP", "H41.SKHDT", "H41.STNMT", "H41.SXD", "H41.SGTVT",
		"H.BAVI", "H.THACHTHAT", "H.SONTAY", "H.PHUCTHO",
		"X.TANLINH", "X.VANHOA", "X.BATRAI", "X.THUYAN", "X.BINHYEN", "X.HABANG", "X.CODONG", "X.KIMSON"}
	out := make([]*unit, len(codes))
	for i, code := range codes {
		u := *unitByCode(demo, code)
		u.ValidTo, u.Successor, u.lateExports = "", "", false
		switch code {
		case "X.THUYAN":
			// The one merger: xã Thụy An into xã Ba Trại, mid-2026.
			u.ValidTo, u.Successor = "2026-06-30", "X.BATRAI"
		case "X.BINHYEN", "X.HABANG":
			// Bình Yên and Hạ Bằng share a lifeKey and a quality: their
			// dossiers come from the same random stream, so they score
			// exactly alike in every period and exercise competition ranks
			// (1, 2, 2, 4).
			u.lifeKey = "thach-that-twins"
			u.q = unitByCode(demo, "X.BINHYEN").q
		}
		out[i] = &u
	}
	return out
}
