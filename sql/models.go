package sql

import "embed"

// Models holds models/*.sql: the model step's statements, run in file-name
// order by package model inside the run's transaction.
//
//go:embed models/*.sql
var Models embed.FS
