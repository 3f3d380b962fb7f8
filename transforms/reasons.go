package transforms

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reason codes of quarantined rows: stable English identifiers for
// analysts (quarantine.reason_code), next to the Vietnamese reason a clerk
// reads. Never rename one: queries and dashboards filter on them.
const (
	CodeMissingDossierCode     = "missing_dossier_code"
	CodeUnknownUnit            = "unknown_unit"           // curable: add the unit or an alias to units.csv
	CodeUnknownHeader          = "unknown_header"         // curable: a required column's header is not recognised
	CodeAmbiguousUnit          = "ambiguous_unit"         // curable: several units bear the name on the day of receipt
	CodeBeforeUnitValidFrom    = "before_unit_valid_from" // curable: received before the unit's valid_from in units.csv
	CodeNoUnit                 = "no_unit"
	CodeMissingReceivedAt      = "missing_received_at"
	CodeUnparseableDate        = "unparseable_date"
	CodeDateBefore2000         = "date_before_2000"
	CodeDateInFuture           = "date_in_future"
	CodeDueBeforeReceived      = "due_before_received"
	CodeFinishedBeforeReceived = "finished_before_received"
	CodeReturnedBeforeReceived = "returned_before_received"
	CodeMissingFinishDate      = "missing_finish_date"
	CodeUnknownStatus          = "unknown_status"
	CodeUnknownChannel         = "unknown_channel"
	CodeUnknownOnlineLevel     = "unknown_online_level"
	CodeUnknownRating          = "unknown_rating"
	CodeUnparseableBool        = "unparseable_bool"
	CodeUnparseableNumber      = "unparseable_number"
	CodeAmbiguousNumber        = "ambiguous_number"
	CodeImplausibleNumber      = "implausible_number"
	// CodeDuplicateInFile is set by the warehouse when it commits: an
	// earlier row of a file whose dossier code a later row of the same file
	// repeats (the last row is kept).
	CodeDuplicateInFile = "duplicate_in_file"
)

// CurableCodes are the reason codes a change of the unit registry or of a
// source's column mapping can cure; rows quarantined for them are retried
// from their files when that change happens.
var CurableCodes = []string{CodeUnknownUnit, CodeUnknownHeader, CodeAmbiguousUnit, CodeBeforeUnitValidFrom}

// MinDate is the earliest date a dossier may carry: one-stop software
// (and the decrees it reports under) postdate it, so an earlier year is a
// typing error (1926 for 2026) or a default date of the exporting system.
var MinDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ColumnLabel is the Vietnamese contract name of canonical column f ("Ngày
// tiếp nhận"), for reasons about a column the file does not have.
func ColumnLabel(f int) string {
	name := CanonicalNames[f]
	for _, h := range headerSpellings {
		if h.canonical == name {
			return h.spellings[0]
		}
	}
	return name
}

// vnDate renders a wall-clock time the way a clerk writes it.
func vnDate(t time.Time) string {
	if isMidnight(t) {
		return t.Format("02/01/2006")
	}
	return t.Format("02/01/2006 15:04")
}

// vnNumber renders a number with the Vietnamese decimal comma and no
// thousands separator, so it cannot itself be read two ways.
func vnNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// quoteList renders headers for a reason: "A", "B" (at most five).
func quoteHeaders(hs []string) string {
	var q []string
	for i, h := range hs {
		if i == 5 {
			q = append(q, fmt.Sprintf("… (%d cột)", len(hs)))
			break
		}
		q = append(q, fmt.Sprintf("%q", h))
	}
	return strings.Join(q, ", ")
}

// vocabHint says which words a vocabulary column accepts.
var vocabHint = map[string]string{
	CodeUnknownStatus:      "Đang xử lý, Chờ bổ sung, Đã giải quyết, Đã trả kết quả, Từ chối, Rút hồ sơ, Dừng xử lý",
	CodeUnknownChannel:     "Trực tuyến, Trực tiếp, Bưu chính công ích hoặc mã 1, 2, 3",
	CodeUnknownOnlineLevel: "Toàn trình, Một phần, Mức độ 2/3/4",
	CodeUnknownRating:      "Rất hài lòng, Hài lòng, Không hài lòng hoặc mã 1, 2, 3",
	CodeUnparseableBool:    "Có/Không, x hoặc để trống, 1/0",
}

// vocabReason is the reason of a value a vocabulary does not know.
func vocabReason(code, column, raw string) string {
	what := map[string]string{
		CodeUnknownStatus:      "Trạng thái",
		CodeUnknownChannel:     "Hình thức nộp",
		CodeUnknownOnlineLevel: "Mức độ dịch vụ công",
		CodeUnknownRating:      "Đánh giá",
		CodeUnparseableBool:    "Giá trị có/không",
	}[code]
	return fmt.Sprintf("%s %q (cột %q) không nhận diện được: dùng %s, hoặc sửa trong tệp xuất",
		what, NFC(strings.TrimSpace(raw)), column, vocabHint[code])
}
