package vnenc

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Telling legacy encodings apart: the same bytes decoded the wrong way still
// give letters, but not Vietnamese syllables. Vietnamese is written one
// syllable per word, and a syllable has a fixed shape — an optional initial
// consonant, a vowel nucleus from a short list, an optional final consonant
// and at most one tone mark — so counting the words with diacritics that fit
// that shape, against those that do not and against stray symbols, ranks
// decodings reliably even on a few lines of a CSV file.

// textScore counts, over the words that contain a non-ASCII letter, how
// many are Vietnamese syllables (good) and how many are not (bad), and the
// non-ASCII symbols outside words (symbols).
type textScore struct {
	good, bad, symbols int
	known              int // good words that are frequent words of CCHC exports
}

func (s textScore) net() int { return 2*s.good + s.known - 3*s.bad - s.symbols }

// commonWords are syllables that fill CCHC exports: header words, statuses,
// unit kinds and the words of unit and procedure names. A decoding that
// produces them is right more surely than one that produces rare but
// well-formed syllables ("Hoà sô" for "Hồ sơ" is well-formed, not common).
var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		mã hồ sơ tên thủ tục lĩnh vực ngày tiếp nhận hẹn trả kết quả trạng thái
		đơn vị xã phường huyện thị trấn quận thành phố tỉnh sở ban ủy uỷ nhân dân
		đã đang xử lý giải quyết hạn trực tuyến bưu chính công ích chứng thực
		đăng ký hộ tịch đất đai cấp giấy phép số từ chối hài lòng rất không
		hình thức nộp hoàn bổ sung yêu cầu dừng rút được chưa có lệ phí
		văn phòng cơ quan người đánh giá mức độ dịch điện tử hành tổng cộng
		trung tâm phục vụ một cửa liên thông kỳ báo cáo năm tháng quý
		sơn tây phúc thọ thạch thất vì đông lâm hòa hoà an bình minh`) {
		m[w] = true
	}
	return m
}()

// scoreText scores NFC text. With countSymbols false, typographic symbols
// are ignored (genuine Unicode text has “quotes”, dashes and the like).
func scoreText(s string, countSymbols bool) textScore {
	var sc textScore
	var word []rune
	nonASCII := false
	flush := func() {
		if len(word) > 0 && nonASCII {
			if validSyllable(word) {
				sc.good++
				if commonWords[strings.ToLower(string(word))] {
					sc.known++
				}
			} else {
				sc.bad++
			}
		}
		word, nonASCII = word[:0], false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			word = append(word, r)
			if r >= 0x80 {
				nonASCII = true
			}
			continue
		}
		flush()
		if countSymbols && r >= 0x80 && !harmlessSymbol(r) {
			sc.symbols++
		}
	}
	flush()
	return sc
}

// harmlessSymbol lists non-ASCII punctuation that legitimately appears in
// Vietnamese exports whatever their encoding.
func harmlessSymbol(r rune) bool {
	switch r {
	case '\u00A0', '–', '—', '‘', '’', '“', '”', '…', '•', '°', '€', '₫', '\uFEFF':
		return true
	}
	return false
}

// letterInfo is a Vietnamese letter split into its toneless lower-case
// letter and its tone (0 none, else 1..5).
type letterInfo struct {
	base rune
	tone int8
}

var vietLetters = func() map[rune]letterInfo {
	m := map[rune]letterInfo{}
	bases := []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "đ"}
	for _, b := range bases {
		for t := 0; t < 6; t++ {
			for _, cased := range []string{b, strings.ToUpper(b)} {
				r := []rune(norm.NFC.String(cased + tones[t]))
				if len(r) == 1 {
					m[r[0]] = letterInfo{base: []rune(b)[0], tone: int8(t)}
				}
			}
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		m[c] = letterInfo{base: c}
		m[c-'a'+'A'] = letterInfo{base: c}
	}
	return m
}()

var onsets = []string{ // longest first
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "kr",
	"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
}

var nuclei = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
		a ă â e ê i o ô ơ u ư y
		ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uo uô uơ uy ưa ưi ươ ưu yê
		iêu yêu oai oay oao oeo uây uôi ươi ươu uyê uya uyu`) {
		m[n] = true
	}
	return m
}()

var codas = map[string]bool{"": true, "c": true, "ch": true, "m": true, "n": true, "ng": true, "nh": true, "p": true, "t": true, "k": true}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y':
		return true
	}
	return false
}

// validSyllable reports whether word (letters, NFC) has the shape of one
// Vietnamese syllable with at most one tone.
func validSyllable(word []rune) bool {
	if len(word) > 8 {
		return false
	}
	var base [8]rune
	tonesSeen := 0
	for i, r := range word {
		li, ok := vietLetters[r]
		if !ok {
			return false
		}
		if li.tone != 0 {
			tonesSeen++
		}
		base[i] = li.base
	}
	if tonesSeen > 1 {
		return false
	}
	s := string(base[:len(word)])
	for _, on := range onsets {
		if rest, ok := strings.CutPrefix(s, on); ok && validRime(rest) {
			return true
		}
	}
	return validRime(s)
}

// validRime checks nucleus + coda.
func validRime(s string) bool {
	i := 0
	r := []rune(s)
	for i < len(r) && isVowel(r[i]) {
		i++
	}
	return i > 0 && nuclei[string(r[:i])] && codas[string(r[i:])]
}
