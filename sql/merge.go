package sql

import (
	"embed"
	"fmt"
)

// merge holds merge/<dataset>.sql: each dataset's merge of its staged
// rows into the warehouse (see package datasets).
//
//go:embed merge/*.sql
var merge embed.FS

// Merge returns the merge SQL of a dataset.
func Merge(dataset string) (string, error) {
	b, err := merge.ReadFile("merge/" + dataset + ".sql")
	if err != nil {
		return "", fmt.Errorf("no merge SQL for dataset %s: %w", dataset, err)
	}
	return string(b), nil
}
