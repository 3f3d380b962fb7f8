package pipeline

import (
	"fmt"
	"strings"

	"github.com/cchc/cchc/config"
	"github.com/cchc/cchc/sources"
)

type sourceConf struct {
	cfg config.Source
	src sources.Source
}

// Sources builds the configured sources, limited to names when given.
func Sources(cfg *config.Config, names []string) ([]sourceConf, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []sourceConf
	for _, s := range cfg.Sources {
		if len(want) > 0 && !want[s.Name] {
			continue
		}
		delete(want, s.Name)
		switch s.Kind {
		case "file":
			out = append(out, sourceConf{cfg: s, src: sources.NewFileSource(s.Name, s.Path)})
		default:
			return nil, fmt.Errorf("source %s: kind %s is not supported yet", s.Name, s.Kind)
		}
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		return nil, fmt.Errorf("no source named %s in %s", strings.Join(missing, ", "), cfg.File)
	}
	return out, nil
}
