package samplegen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// person is a fake applicant. Every CCCD number and phone number is unique
// in a demo set, so a test can grep the warehouse for each one and be sure
// that a hit is a leak.
type person struct {
	name    string
	cccd    string // 12 digits: birth province, gender/century, birth year, serial
	phone   string // 09xxxxxxxx
	address string
	email   string // may be empty
}

// Surnames, middle and given names. None starts with an upper-case vowel
// carrying a tone mark, which the TCVN3 code page cannot represent.
var (
	surnames    = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Khuất", "Kiều", "Phùng", "Chu", "Nghiêm", "Đào", "Tạ", "Lưu", "Quách"}
	middleMen   = []string{"Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Tiến", "Mạnh", "Công", "Thanh", "Ngọc", "Đình", "Trọng"}
	middleWomen = []string{"Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim", "Lan", "Diệu"}
	givenMen    = []string{"An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Long", "Mạnh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Đạt", "Đông", "Khoa", "Lâm", "Nghĩa", "Phúc", "Thành"}
	givenWomen  = []string{"Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Liên", "Tâm", "Nhàn"}
	villages    = []string{"Đông Phú", "Yên Bồ", "Đồng Vàng", "Vân Sơn", "Phú Lội", "Hòa Lạc", "Đồng Bảng", "Cẩm Đình", "Bình Xá", "Yên Thôn", "Đình Thôn", "Đá Chông", "Xóm Mới", "Kim Bí", "Trung Sơn", "Mít", "Chằm", "Mộc", "Lặt", "Sổ", "Hậu Ái", "Phú Nhi", "Mông Phụ", "Cam Lâm", "Đoài Giáp", "Ngọc Nhị"}
	birthPlaces = []string{"001", "001", "001", "001", "001", "025", "026", "017", "035", "036", "034", "038", "040", "030", "033", "019"}
	phonePrefix = []string{"090", "091", "093", "094", "096", "097", "098", "092", "099"}
)

// places are the communes used in addresses, per district unit code.
var places = []struct{ district, communes string }{
	{"huyện Ba Vì", "xã Tản Lĩnh|xã Vân Hòa|xã Ba Trại|xã Thụy An|thị trấn Tây Đằng|xã Cam Thượng|xã Phú Châu|xã Vật Lại"},
	{"huyện Thạch Thất", "xã Bình Yên|xã Hạ Bằng|thị trấn Liên Quan|xã Kim Quan|xã Cẩm Yên|xã Tân Xã"},
	{"thị xã Sơn Tây", "xã Cổ Đông|xã Kim Sơn|phường Quang Trung|phường Ngô Quyền|xã Đường Lâm|phường Trung Hưng"},
	{"huyện Phúc Thọ", "xã Võng Xuyên|xã Tam Thuấn|xã Phúc Hòa|thị trấn Phúc Thọ|xã Long Xuyên"},
}

// peopleGen draws applicants. The uniqueness sets are only looked up; nil
// sets (streaming, where memory must stay constant) skip the checks.
type peopleGen struct {
	r      *rand.Rand
	cccd   map[string]bool
	phones map[string]bool
	emails map[string]bool
}

func newPeopleGen(r *rand.Rand) *peopleGen {
	return &peopleGen{r: r, cccd: map[string]bool{}, phones: map[string]bool{}, emails: map[string]bool{}}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// addressArea returns the district and commune lists an applicant of u
// lives in: the commune itself, the communes of a district, or anywhere
// for a department.
func addressArea(r *rand.Rand, u *unit) (district string, commune string) {
	pl := places[r.IntN(len(places))]
	key := u.Code
	if u.Level == "commune" {
		key = u.Parent
		if u.area != "" {
			key = u.area
		}
	}
	for i, code := range []string{"H.BAVI", "H.THACHTHAT", "H.SONTAY", "H.PHUCTHO"} {
		if code == key {
			pl = places[i]
		}
	}
	if u.Level == "commune" {
		return pl.district, strings.TrimPrefix(u.Name, "UBND ")
	}
	return pl.district, pick(r, strings.Split(pl.communes, "|"))
}

// newPerson draws a new applicant living near unit u.
func (g *peopleGen) newPerson(u *unit) *person {
	r := g.r
	p := &person{}
	female := r.IntN(2) == 1
	sur := pick(r, surnames)
	var mid, given string
	if female {
		mid, given = pick(r, middleWomen), pick(r, givenWomen)
	} else {
		mid, given = pick(r, middleMen), pick(r, givenMen)
	}
	p.name = sur + " " + mid + " " + given
	if r.IntN(8) == 0 { // four-part names are common too
		extra := pick(r, middleMen)
		if female {
			extra = pick(r, middleWomen)
		}
		if extra != mid {
			p.name = sur + " " + extra + " " + mid + " " + given
		}
	}
	year := 1950 + r.IntN(58)
	gc := 0
	if year >= 2000 {
		gc = 2
	}
	if female {
		gc++
	}
	for {
		p.cccd = fmt.Sprintf("%s%d%02d%06d", pick(r, birthPlaces), gc, year%100, r.IntN(1000000))
		if g.cccd == nil {
			break
		}
		if !g.cccd[p.cccd] {
			g.cccd[p.cccd] = true
			break
		}
	}
	for {
		p.phone = fmt.Sprintf("%s%07d", pick(r, phonePrefix), r.IntN(10000000))
		if g.phones == nil {
			break
		}
		if !g.phones[p.phone] {
			g.phones[p.phone] = true
			break
		}
	}
	district, commune := addressArea(r, u)
	if r.IntN(3) == 0 {
		p.address = fmt.Sprintf("Số %d, thôn %s, %s, %s", 1+r.IntN(180), pick(r, villages), commune, district)
	} else {
		p.address = fmt.Sprintf("Xóm %d, thôn %s, %s, %s", 1+r.IntN(12), pick(r, villages), commune, district)
	}
	if r.IntN(3) == 0 {
		parts := strings.Fields(stripDiacritics(p.name))
		local := strings.ToLower(parts[len(parts)-1])
		for _, w := range parts[:len(parts)-1] {
			local += strings.ToLower(w[:1])
		}
		for {
			e := fmt.Sprintf("%s%d@%s", local, 1000+r.IntN(9000), pick(r, []string{"gmail.com", "gmail.com", "yahoo.com.vn", "outlook.com"}))
			if g.emails == nil || !g.emails[e] {
				if g.emails != nil {
					g.emails[e] = true
				}
				p.email = e
				break
			}
		}
	}
	return p
}
