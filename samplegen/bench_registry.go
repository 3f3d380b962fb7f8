package samplegen

// benchRegistry is the unit list the benchmark exports (BigCSV) are drawn
// from: the demo's registry as it was before the demo covered the 2025
// reform (2026 only, departments and districts that all stand, one commune
// merger). Kept apart so that benchmark figures stay comparable while the
// demo follows the province's history.
func benchRegistry() []*unit {
	good, avg, poor := qGood, qAvg, qPoor
	return []*unit{
		{Code: "H41.STP", Name: "Sở Tư pháp", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Tu phap", "STP", "Bộ phận một cửa Sở Tư pháp"},
			agency:  "000.00.12.H41", weight: 0.07,
			q: tweak(good, func(q *quality) { q.online = 0.7; q.onTime = 0.93 }), procs: procsSTP},
		// OpenCPS, the system of SKHĐT and SXD, has no "stopped" status, so
		// these two never stop a dossier.
		{Code: "H41.SKHDT", Name: "Sở Kế hoạch và Đầu tư", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Ke hoach va Dau tu", "Sở KH&ĐT", "SKHĐT", "Phòng Đăng ký kinh doanh"},
			agency:  "000.00.13.H41", weight: 0.035,
			q: tweak(good, func(q *quality) { q.online = 0.9; q.onTime = 0.97; q.paidOnline = 0.92; q.stop = 0 }), procs: procsSKHDT},
		{Code: "H41.STNMT", Name: "Sở Tài nguyên và Môi trường", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Tai nguyen va Moi truong", "Sở TN&MT", "STNMT", "Bộ phận một cửa Sở Tài nguyên và Môi trường"},
			agency:  "000.00.14.H41", weight: 0.08,
			q: tweak(poor, func(q *quality) { q.online = 0.3; q.synced = 0.9 }), procs: procsSTNMT},
		{Code: "H41.SXD", Name: "Sở Xây dựng", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Xay dung", "SXD", "Bộ phận một cửa Sở Xây dựng"},
			agency:  "000.00.15.H41", weight: 0.02,
			q: tweak(avg, func(q *quality) { q.stop = 0 }), procs: procsSXD},
		{Code: "H41.SGTVT", Name: "Sở Giao thông vận tải", Level: "department", ValidFrom: "2008-04-01",
			Aliases: []string{"So Giao thong van tai", "Sở GTVT", "SGTVT"},
			agency:  "000.00.16.H41", weight: 0.09,
			q: tweak(good, func(q *quality) { q.online = 0.8; q.digResult = 0.9 }), procs: procsSGTVT},

		{Code: "H.BAVI", Name: "UBND huyện Ba Vì", Level: "district",
			Aliases: []string{"Huyện Ba Vì", "UBND huyen Ba Vi", "Bộ phận một cửa huyện Ba Vì", "Ủy ban nhân dân huyện Ba Vì"},
			short:   "31", agency: "000.00.31.H41", m2026: "M41.031.00", weight: 0.18,
			q: avg, procs: procsDistrict},
		{Code: "H.THACHTHAT", Name: "UBND huyện Thạch Thất", Level: "district",
			Aliases: []string{"Huyện Thạch Thất", "UBND huyen Thach That", "Bộ phận một cửa huyện Thạch Thất"},
			short:   "32", agency: "000.00.32.H41", m2026: "M41.032.00", weight: 0.13,
			q: tweak(good, func(q *quality) { q.online = 0.55 }), procs: procsDistrict},
		{Code: "H.SONTAY", Name: "UBND thị xã Sơn Tây", Level: "district",
			Aliases: []string{"Thị xã Sơn Tây", "UBND thi xa Son Tay", "Bộ phận một cửa thị xã Sơn Tây", "TX Sơn Tây"},
			short:   "33", agency: "000.00.33.H41", m2026: "M41.033.00", weight: 0.11,
			q: tweak(avg, func(q *quality) { q.online = 0.45; q.onTime = 0.8 }), procs: procsDistrict},
		{Code: "H.PHUCTHO", Name: "UBND huyện Phúc Thọ", Level: "district",
			Aliases: []string{"Huyện Phúc Thọ", "UBND huyen Phuc Tho", "Bộ phận một cửa huyện Phúc Thọ"},
			short:   "34", agency: "000.00.34.H41", m2026: "M41.034.00", weight: 0.045,
			q: poor, procs: procsDistrict},

		{Code: "X.TANLINH", Name: "UBND xã Tản Lĩnh", Level: "commune", Parent: "H.BAVI",
			Aliases: []string{"Xã Tản Lĩnh", "UBND xa Tan Linh", "Bộ phận một cửa xã Tản Lĩnh"},
			agency:  "000.21.31.H41", m2026: "M41.031.21", weight: 0.035,
			q: tweak(avg, func(q *quality) { q.online = 0.4; q.onTime = 0.84 }), procs: procsCommune},
		{Code: "X.VANHOA", Name: "UBND xã Vân Hòa", Level: "commune", Parent: "H.BAVI",
			Aliases: []string{"Xã Vân Hòa", "UBND xã Vân Hoà", "UBND xa Van Hoa", "Bộ phận một cửa xã Vân Hòa"},
			agency:  "000.22.31.H41", m2026: "M41.031.22", weight: 0.025,
			q: poor, procs: procsCommune},
		{Code: "X.BATRAI", Name: "UBND xã Ba Trại", Level: "commune", Parent: "H.BAVI", ValidFrom: "2019-12-01",
			Aliases: []string{"Xã Ba Trại", "UBND xa Ba Trai", "Bộ phận một cửa xã Ba Trại"},
			agency:  "000.23.31.H41", m2026: "M41.031.23", weight: 0.035,
			q: tweak(good, func(q *quality) { q.online = 0.5 }), procs: procsCommune},
		{Code: "X.THUYAN", Name: "UBND xã Thụy An", Level: "commune", Parent: "H.BAVI",
			ValidTo: "2026-06-30", Successor: "X.BATRAI",
			Aliases: []string{"Xã Thụy An", "UBND xã Thuỵ An", "UBND xa Thuy An"},
			agency:  "000.24.31.H41", m2026: "M41.031.24", weight: 0.012,
			q: avg, procs: procsCommune},
		// Bình Yên and Hạ Bằng share a lifeKey: their dossiers are generated
		// from the same random stream, so they score exactly alike in every
		// period and exercise competition ranks (1, 2, 2, 4).
		{Code: "X.BINHYEN", Name: "UBND xã Bình Yên", Level: "commune", Parent: "H.THACHTHAT",
			Aliases: []string{"Xã Bình Yên", "UBND xa Binh Yen"},
			agency:  "000.21.32.H41", m2026: "M41.032.21", weight: 0.02, lifeKey: "thach-that-twins",
			q: tweak(good, func(q *quality) { q.online = 0.45; q.synced = 1 }), procs: procsCommune},
		{Code: "X.HABANG", Name: "UBND xã Hạ Bằng", Level: "commune", Parent: "H.THACHTHAT",
			Aliases: []string{"Xã Hạ Bằng", "UBND xa Ha Bang"},
			agency:  "000.22.32.H41", m2026: "M41.032.22", weight: 0.02, lifeKey: "thach-that-twins",
			q: tweak(good, func(q *quality) { q.online = 0.45; q.synced = 1 }), procs: procsCommune},
		{Code: "X.CODONG", Name: "UBND xã Cổ Đông", Level: "commune", Parent: "H.SONTAY",
			Aliases: []string{"Xã Cổ Đông", "UBND xa Co Dong"},
			agency:  "000.21.33.H41", m2026: "M41.033.21", weight: 0.012,
			q: tweak(poor, func(q *quality) { q.online = 0.08 }), procs: procsCommune},
		{Code: "X.KIMSON", Name: "UBND xã Kim Sơn", Level: "commune", Parent: "H.SONTAY",
			Aliases: []string{"Xã Kim Sơn", "UBND xa Kim Son", "Bộ phận một cửa xã Kim Sơn"},
			agency:  "000.22.33.H41", m2026: "M41.033.22", weight: 0.03,
			q: tweak(avg, func(q *quality) { q.online = 0.3; q.synced = 1 }), procs: procsCommune},
	}
}
