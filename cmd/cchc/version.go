package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/cchc/cchc/warehouse"
)

// version and commit are set at link time by `make build`
// (-ldflags "-X main.version=… -X main.commit=…"); a plain `go build` says
// "dev" and takes the commit from Go's VCS stamp when it has one (it has
// none under -buildvcs=false).
var (
	version = "dev"
	commit  = ""
)

// versionText is what `cchc --version` prints: the release, the commit it
// was built from (with "+dirty" when the tree had uncommitted changes), and
// the DuckDB library inside the binary, which decides what a warehouse file
// written by it can be opened with.
func versionText(ctx context.Context) string {
	rev, date, dirty := commit, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" && len(s.Value) >= 12 {
					rev = s.Value[:12]
				}
			case "vcs.time":
				date = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev == "" {
		rev = "không rõ (build without `make build`)"
	}
	if dirty {
		rev += "+dirty"
	}
	if date != "" {
		rev += " (" + date + ")"
	}
	engine, err := warehouse.EngineVersion(ctx)
	if err != nil {
		engine = "không xác định: " + err.Error()
	}
	return fmt.Sprintf("cchc %s\ncommit: %s\nDuckDB: %s\nGo: %s %s/%s\n",
		version, rev, engine, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
