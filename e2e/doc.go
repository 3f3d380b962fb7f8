// Package e2e holds the end-to-end tests over the bundled demo set: the
// generated exports are loaded into a real DuckDB file by the real pipeline
// and checked against the generator's manifest, golden files and the
// README's claims.
package e2e
