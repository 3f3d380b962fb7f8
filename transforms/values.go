package transforms

import (
	"fmt"
	"strings"
)

// vocabulary maps the Key of every known spelling to a canonical value.
type vocabulary map[string]string

func newVocabulary(groups map[string][]string) vocabulary {
	v := make(vocabulary)
	for canonical, spellings := range groups {
		v[Key(canonical)] = canonical
		for _, s := range spellings {
			k := Key(s)
			if prev, ok := v[k]; ok && prev != canonical {
				// A programming error in the tables below; tests catch it.
				panic(fmt.Sprintf("transforms: %q is both %s and %s", s, prev, canonical))
			}
			v[k] = canonical
		}
	}
	return v
}

// statuses: docs/contract.md's table first in each group, then vendor variants
// (Vietnamese one-stop software wording and OpenCPS dossierStatus codes).
// Numeric national status codes are not mapped: they differ between
// systems and a wrong guess would silently misclassify dossiers.
var statuses = newVocabulary(map[string][]string{
	"processing": {
		"Đang xử lý", "Đang giải quyết", "Chờ xử lý", "Mới tiếp nhận", "processing", "receiving", "new",
		"Đã tiếp nhận", "Tiếp nhận", "Mới", "Hồ sơ mới", "Chờ tiếp nhận", "Đang tiếp nhận",
		"Chờ phê duyệt", "Chờ duyệt", "Đang thẩm định", "Chờ thẩm định", "Đang thụ lý",
		"Chờ ký", "Đang trình ký", "Trình ký", "Chờ ký duyệt", "Đang luân chuyển", "Chuyển xử lý",
		"Đang xử lý trong hạn", "Đang xử lý quá hạn", "Đang xử lý (trong hạn)", "Đang xử lý (quá hạn)",
		"Đang giải quyết trong hạn", "Đang giải quyết quá hạn", "Chưa giải quyết", "Chưa xử lý",
	},
	"supplement_requested": {
		"Yêu cầu bổ sung hồ sơ", "Chờ bổ sung", "Tạm dừng", "waiting", "correcting",
		"Yêu cầu bổ sung", "Đang bổ sung", "Bổ sung hồ sơ", "Chờ bổ sung hồ sơ",
		"Chờ công dân bổ sung", "Tạm dừng xử lý", "Đang tạm dừng", "Đã yêu cầu bổ sung",
	},
	"resolved": {
		"Đã xử lý xong", "Đã giải quyết", "Hoàn thành", "Chờ trả kết quả", "done", "releasing",
		"Đã hoàn thành", "Đã giải quyết xong", "Giải quyết xong", "Đã xử lý", "Xử lý xong",
		"Có kết quả", "Đã có kết quả", "Chờ trả", "Đang chờ trả kết quả",
		"Hoàn thành trước hạn", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Hoàn thành trễ hạn",
		"Đã giải quyết trước hạn", "Đã giải quyết đúng hạn", "Đã giải quyết quá hạn",
	},
	"returned": {
		"Đã trả kết quả", "Đã trả", "released",
		"Trả kết quả", "Đã trả KQ", "Đã nhận kết quả", "Công dân đã nhận kết quả",
		"Đã trả kết quả cho công dân",
	},
	"rejected": {
		"Từ chối", "Từ chối giải quyết", "Trả lại hồ sơ", "denied", "unresolved",
		"Đã từ chối", "Từ chối tiếp nhận", "Không tiếp nhận", "Trả lại", "Không giải quyết",
		"Không đủ điều kiện giải quyết",
	},
	"withdrawn": {
		"Rút hồ sơ", "Công dân yêu cầu rút hồ sơ", "Đã rút", "cancelled",
		"Đã rút hồ sơ", "Công dân rút hồ sơ", "Rút", "canceled",
		// A dossier cancelled at the citizen's request: the same as
		// OpenCPS "cancelled", which docs/contract.md maps to withdrawn.
		"Hủy", "Đã hủy", "Hủy hồ sơ", "Đã hủy hồ sơ",
	},
	"stopped": {
		"Dừng xử lý", "Dừng giải quyết", "Đã dừng xử lý", "Dừng", "Ngừng xử lý", "Đã dừng",
	},
})

var channels = newVocabulary(map[string][]string{
	"online": {"Trực tuyến", "online", "Nộp trực tuyến", "Qua mạng", "DVC trực tuyến",
		"Dịch vụ công trực tuyến", "Cổng dịch vụ công", "Cổng DVC", "Trực tuyến toàn trình",
		"Trực tuyến một phần", "Nộp qua mạng"},
	"direct": {"Trực tiếp", "direct", "Nộp trực tiếp", "Tại bộ phận một cửa",
		"Trực tiếp tại bộ phận một cửa", "Tại quầy", "Một cửa"},
	"postal": {"Bưu chính", "Bưu chính công ích", "Qua bưu điện", "postal",
		"BCCI", "Qua bưu chính", "Qua bưu chính công ích", "Qua dịch vụ bưu chính công ích",
		"Bưu điện", "Nộp qua bưu chính", "Nộp qua bưu điện"},
})

var ratings = newVocabulary(map[string][]string{
	"very_satisfied": {"Rất hài lòng", "very satisfied"},
	"satisfied":      {"Hài lòng", "satisfied"},
	"dissatisfied":   {"Không hài lòng", "Chưa hài lòng", "dissatisfied", "not satisfied"},
})

var onlineLevels = newVocabulary(map[string][]string{
	"full": {"Toàn trình", "Mức độ 4", "Mức 4", "DVC trực tuyến toàn trình", "DVCTT toàn trình",
		"Dịch vụ công trực tuyến toàn trình", "Trực tuyến toàn trình", "Mức độ 4 (toàn trình)"},
	"partial": {"Một phần", "Mức độ 3", "Mức 3", "DVC trực tuyến một phần", "DVCTT một phần",
		"Dịch vụ công trực tuyến một phần", "Trực tuyến một phần", "Mức độ 3 (một phần)"},
	"none": {"Mức độ 2", "Mức 2", "Mức độ 1", "Mức 1", "DVC cung cấp thông tin", "Cung cấp thông tin",
		"Dịch vụ công cung cấp thông tin", "Dịch vụ công cung cấp thông tin trực tuyến",
		"Không", "Không trực tuyến"},
})

var bools = newVocabulary(map[string][]string{
	"true":  {"Có", "Đã", "x", "1", "yes", "y", "đúng"},
	"false": {"Không", "Chưa", "0", "no", "n", "sai"},
})

// blank reports a cell with nothing but white space.
func blank(s string) bool { return strings.TrimFunc(s, isSpace) == "" }

// code strips the ".0" or ",0" a spreadsheet leaves on a whole number
// ("2.0" → "2"), so numeric codes match however the cell was stored.
func code(s string) string {
	s = strings.TrimSpace(s)
	for _, suf := range []string{".00", ",00", ".0", ",0"} {
		if len(s) > len(suf) && strings.HasSuffix(s, suf) {
			return s[:len(s)-len(suf)]
		}
	}
	return s
}

// ParseStatus maps a dossier status as exports spell it to one of
// processing, supplement_requested, resolved, returned, rejected, withdrawn
// or stopped. Matching is by Key (case, diacritics and spacing ignored).
// Empty input gives "" and a nil error (the caller derives a status from the
// dates); unknown text gives an error naming the value.
func ParseStatus(s string) (string, error) {
	var kb keyBuf
	k := appendKey(kb[:0], s)
	if blank(s) {
		return "", nil
	}
	if v, ok := statuses[string(k)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown status %q (expected e.g. Đang xử lý, Đã trả kết quả, Từ chối)", NFC(s))
}

// ParseChannel maps the submission channel to online, direct or postal.
// Besides words, the national codes 1 (direct), 2 (online) and 3 (postal)
// are accepted. Empty input means direct, as docs/contract.md specifies.
func ParseChannel(s string) (string, error) {
	switch code(s) {
	case "1":
		return "direct", nil
	case "2":
		return "online", nil
	case "3":
		return "postal", nil
	}
	var kb keyBuf
	k := appendKey(kb[:0], s)
	if blank(s) {
		return "direct", nil
	}
	if v, ok := channels[string(k)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown channel %q (expected Trực tuyến, Trực tiếp, Bưu chính công ích or 1, 2, 3)", NFC(s))
}

// ParseRating maps the citizen's rating to very_satisfied, satisfied or
// dissatisfied; the codes 1, 2 and 3 are accepted in that order. Empty input
// gives "" and a nil error (not rated).
func ParseRating(s string) (string, error) {
	switch code(s) {
	case "1":
		return "very_satisfied", nil
	case "2":
		return "satisfied", nil
	case "3":
		return "dissatisfied", nil
	}
	var kb keyBuf
	k := appendKey(kb[:0], s)
	if blank(s) {
		return "", nil
	}
	if v, ok := ratings[string(k)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown rating %q (expected Rất hài lòng, Hài lòng, Không hài lòng or 1, 2, 3)", NFC(s))
}

// ParseOnlineLevel maps the online service level of the procedure to full
// (toàn trình, former level 4), partial (một phần, level 3) or none (level 2
// or below: information only). The bare level numbers 1 to 4 are accepted.
// Empty input gives "" and a nil error.
func ParseOnlineLevel(s string) (string, error) {
	switch code(s) {
	case "4":
		return "full", nil
	case "3":
		return "partial", nil
	case "1", "2":
		return "none", nil
	}
	var kb keyBuf
	k := appendKey(kb[:0], s)
	if blank(s) {
		return "", nil
	}
	if v, ok := onlineLevels[string(k)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown online service level %q (expected Toàn trình, Một phần, Mức độ 2/3/4)", NFC(s))
}

// ParseBool reads a yes/no cell: Có, Đã, x, 1, true, yes, đúng, ✓ are true;
// Không, Chưa, 0, false, no, ✗, a lone "-" and empty are false. Longer phrases that start
// with Đã/Có ("Đã đồng bộ", "Có phí") are true and those that start with
// Chưa/Không ("Chưa thanh toán") are false, because vendors often write the
// column's meaning into its values. Anything else is an error.
func ParseBool(s string) (bool, error) {
	c := code(s)
	switch c {
	case "✓", "✔", "☑", "☒", "✅":
		return true, nil
	case "✗", "✘", "☐", "-":
		return false, nil
	}
	var kb keyBuf
	k := appendKey(kb[:0], c)
	if blank(c) {
		return false, nil
	}
	if v, ok := bools[string(k)]; ok {
		return v == "true", nil
	}
	f := Fold(s)
	for _, p := range []string{"da ", "co "} {
		if strings.HasPrefix(f, p) {
			return true, nil
		}
	}
	for _, p := range []string{"chua ", "khong "} {
		if strings.HasPrefix(f, p) {
			return false, nil
		}
	}
	return false, fmt.Errorf("cannot read yes/no %q (expected Có/Không, x or empty, 1/0)", NFC(s))
}
