package pipeline

import (
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/sources"
	"github.com/cchc/cchc/warehouse"
)

type sourceConf struct {
	cfg config.Source
	src sources.Source
	lim sources.Limits // decoding limits of the installation
}

// where is what a source reads, fit to log and show: its path glob, or its
// URL redacted (a query may carry a token).
func (sc sourceConf) where() string {
	if sc.cfg.URL != "" {
		return sources.Redact(sc.cfg.URL)
	}
	return sc.cfg.Path
}

// Sources builds the configured sources, limited to names when given.
// HTTP sources download into warehouse.DownloadDir.
func Sources(cfg *config.Config, names []string) ([]sourceConf, error) {
	return sourcesIn(cfg, names, warehouse.DownloadDir(cfg.Warehouse))
}

// sourcesIn is Sources with HTTP sources downloading into downloads.
func sourcesIn(cfg *config.Config, names []string, downloads string) ([]sourceConf, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []sourceConf
	found := map[string]bool{}
	cl := cfg.Limits
	lim := sources.Limits{MaxWorkbookBytes: cl.MaxWorkbookBytes, MaxXMLPartBytes: cl.MaxXMLPartBytes, MaxMerges: cl.MaxMerges,
		MaxCellBytes: cl.MaxCellBytes, MaxLineBytes: cl.MaxLineBytes, MaxColumns: cl.MaxColumns, MaxJSONDepth: cl.MaxJSONDepth,
		MaxMergedFillBytes: cl.MaxMergedFillBytes}

	for _, s := range cfg.Sources {
		if len(want) > 0 && !want[s.Name] {
			continue
		}
		found[s.Name] = true
		switch s.Kind {
		case "file":
			out = append(out, sourceConf{cfg: s, src: sources.NewFileSource(s.Name, s.Path), lim: lim})
		case "http":
			o := sources.HTTPOptions{URL: s.URL, Index: s.Index, Timeout: s.Timeout, Retries: s.Retries, MaxBytes: s.MaxBytes, Redirects: s.Redirects,
				Deadline: s.Deadline}
			// Beside the warehouse, where RemoveLeftovers finds what a
			// killed run downloaded (personal data included).
			o.TempDir = downloads
			o.MaxUnzipBytes = lim.MaxWorkbookBytes
			switch s.Auth {
			case "bearer":
				o.Bearer = s.Secret.Value()
			case "basic":
				o.Username, o.Password = s.Username, s.Secret.Value()
			}
			if s.CAFile != "" {
				pem, err := os.ReadFile(s.CAFile)
				if err != nil {
					return nil, fmt.Errorf("nguồn %s: không đọc được tệp chứng chỉ ca_file; kiểm tra đường dẫn và quyền đọc (ca_file: %w)", s.Name, err)
				}
				pool, err := x509.SystemCertPool()
				if err != nil {
					pool = x509.NewCertPool()
				}
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("nguồn %s: tệp ca_file %s không chứa chứng chỉ PEM nào (khối -----BEGIN CERTIFICATE-----); "+
						"xin quản trị máy chủ chứng chỉ CA dạng PEM, hoặc chuyển tệp .cer/.der sang PEM (holds no PEM certificate)", s.Name, s.CAFile)
				}
				o.RootCAs = pool
			}
			out = append(out, sourceConf{cfg: s, src: sources.NewHTTPSource(s.Name, o), lim: lim})
		default:
			return nil, fmt.Errorf("nguồn %s: loại nguồn (kind) %s chưa được hỗ trợ; dùng kind: file hoặc http (kind is not supported yet)", s.Name, s.Kind)
		}
	}
	var missing []string
	for _, n := range names {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("không có nguồn tên %s trong %s; kiểm tra tên nguồn (no source named)", strings.Join(missing, ", "), cfg.File)
	}
	return out, nil
}
