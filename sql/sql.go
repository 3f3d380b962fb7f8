// Package sql embeds the project's SQL: warehouse migrations (applied in
// order by package warehouse) and the model and publication queries. Each
// file starts with a comment saying what it computes and from what.
package sql

import "embed"

// Migrations holds migrations/NNNN_name.sql, applied in lexical order.
//
//go:embed migrations/*.sql
var Migrations embed.FS
