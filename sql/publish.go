package sql

import "embed"

// Publish holds publish/*.sql, the read-only queries behind the
// publications of one period (package publish). Those about one period take
// it as their first parameter ($1); all only read the warehouse.
//
//go:embed publish/*.sql
var Publish embed.FS
