//go:build !linux

package publish

// exchangePaths has no atomic exchange outside Linux: replaceDir renames
// the old folder aside first.
func exchangePaths(a, b string) error { return errExchangeUnsupported }
