package model

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"sync"

	cchcsql "github.com/cchc/cchc/sql"
)

// codeVersion is the Go side of the model's code: raise it when a change
// to this package (not to sql/models, which CodeStamp hashes) changes what
// a rebuild writes, so that warehouses built before rebuild every period.
const codeVersion = 1

// CodeStamp identifies the code that computes the model: the model's SQL
// files and codeVersion. A run records it with the model it built
// (runs.model_code); CodeStale compares. It is hashed once per process.
var CodeStamp = sync.OnceValue(func() string {
	h := sha256.New()
	names, _ := fs.Glob(cchcsql.Models, "models/*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(cchcsql.Models, n)
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	h.Write([]byte("go " + strconv.Itoa(codeVersion)))
	return "model " + hex.EncodeToString(h.Sum(nil)[:8])
})

// CodeStale reports whether the model was last built by other code than
// this binary's (an upgrade that changes how statistics, scores or ranks
// are computed): then a run rebuilds every period, even with no new file,
// so that no published period keeps what the old code computed. A
// warehouse whose model was never built is not stale by this test.
func CodeStale(ctx context.Context, db Execer) (bool, error) {
	var code sql.NullString
	err := db.QueryRowContext(ctx, `SELECT model_code FROM runs WHERE modelled AND committed_at IS NOT NULL
		ORDER BY run_id DESC LIMIT 1`).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("model: code: %w", err)
	}
	return code.String != CodeStamp(), nil
}
