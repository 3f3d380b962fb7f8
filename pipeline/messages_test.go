package pipeline

import "testing"

// TestFileMessage checks the ledger's message of a failed file: it names
// the source and the file once each, in Vietnamese, whoever named them
// first (the decoder, the source, or nobody), and names a download by its
// address rather than its temporary file.
func TestFileMessage(t *testing.T) {
	const tmp = "/var/lib/cchc/cchc.duckdb.downloads/cchc-http-123.xlsx"
	const url = "https://dvc.example/export.xlsx?token=REDACTED"
	for _, tt := range []struct {
		name, path, local, msg, want string
	}{
		{"decoder names the file", "/srv/a.csv", "/srv/a.csv", "tệp /srv/a.csv: tệp rỗng (the file is empty)",
			"nguồn s: tệp /srv/a.csv: tệp rỗng (the file is empty)"},
		{"nobody names it", "/srv/a.csv", "/srv/a.csv", "không có cột mã hồ sơ (no dossier code column)",
			"nguồn s: tệp /srv/a.csv: không có cột mã hồ sơ (no dossier code column)"},
		{"a download's temporary file", url, tmp, "tệp " + tmp + ": trang tính \"A\" trống (sheet is empty)",
			"nguồn s: tệp " + url + ": trang tính \"A\" trống (sheet is empty)"},
		{"the source names itself and the file", "/srv/a.csv", "/srv/a.csv", "nguồn s: tệp /srv/a.csv: không tìm thấy (stat: no such file or directory)",
			"nguồn s: tệp /srv/a.csv: không tìm thấy (stat: no such file or directory)"},
		{"the source names itself only", url, url, "nguồn s: máy chủ trả lời 500 Internal Server Error",
			"nguồn s: tệp " + url + ": máy chủ trả lời 500 Internal Server Error"},
		{"a sentence starting with tệp", url, url, "nguồn s: tệp xuất có 9 byte, quá giới hạn 8 byte (max_bytes)",
			"nguồn s: tệp " + url + ": tệp xuất có 9 byte, quá giới hạn 8 byte (max_bytes)"},
		{"older English prefixes", "/srv/a.csv", "/srv/a.csv", "source s: file /srv/a.csv: là một trang HTML",
			"nguồn s: tệp /srv/a.csv: là một trang HTML"},
		{"digits in a temporary path, personal data after it", url, "/tmp/dl-0912345678.csv", "tệp /tmp/dl-0912345678.csv: ô A2 ghi 0912345678",
			"nguồn s: tệp " + url + ": ô A2 ghi [SĐT]"},
		{"another source's name is kept", "/srv/a.csv", "", "nguồn t: lỗi",
			"nguồn s: tệp /srv/a.csv: nguồn t: lỗi"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := fileMessage("s", tt.path, tt.local, tt.msg, true); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
