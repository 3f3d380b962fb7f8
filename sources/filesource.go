package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// exportExts are the extensions listed when a file source's pattern names a
// folder.
var exportExts = map[string]bool{
	".csv": true, ".tsv": true, ".txt": true,
	".xlsx": true, ".xlsm": true,
	".json": true, ".ndjson": true, ".jsonl": true,
}

// NewFileSource returns a Source over local files. pattern is one of:
//
//   - a folder: the export files directly in it (.csv .tsv .txt .xlsx .xlsm
//     .json .ndjson .jsonl, any case);
//   - a filepath.Match glob such as /data/exports/ba-vi/*.xlsx;
//   - a glob with ** segments, each matching any number of folders, such as
//     /data/exports/**/*.csv.
//
// Hidden files and folders (name starting with ".") and Excel lock files
// ("~$...") are never listed. A pattern that matches nothing lists no files
// and is not an error; a malformed pattern is an error from List. Fetch
// returns the file's own path and a no-op cleanup.
func NewFileSource(name, pattern string) Source {
	return &fileSource{name: name, pattern: pattern}
}

type fileSource struct {
	name, pattern string
}

func (s *fileSource) Name() string { return s.name }

// List stats the matching files and returns them sorted by ModTime, then
// Path.
func (s *fileSource) List(ctx context.Context) ([]FileRef, error) {
	paths, err := s.match(ctx)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", s.name, err)
	}
	refs := make([]FileRef, 0, len(paths))
	for _, p := range paths {
		if skipName(filepath.Base(p)) {
			continue
		}
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since it was matched
		}
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.name, fileError(p, err))
		}
		if !st.Mode().IsRegular() {
			continue
		}
		refs = append(refs, FileRef{Source: s.name, Path: p, Size: st.Size(), ModTime: st.ModTime().UTC()})
	}
	sort.Slice(refs, func(i, j int) bool {
		if !refs[i].ModTime.Equal(refs[j].ModTime) {
			return refs[i].ModTime.Before(refs[j].ModTime)
		}
		return refs[i].Path < refs[j].Path
	})
	return refs, nil
}

// match returns the paths the pattern names, unfiltered.
// missingFolder is an error when the folder a pattern starts from does not
// exist: an unmounted share or a mistyped path must fail the source, not
// pass as "no exports tonight".
func missingFolder(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("folder %s does not exist (an unmounted share or a mistyped path?)", dir)
	}
	if err != nil {
		return fileError(dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

func (s *fileSource) match(ctx context.Context) ([]string, error) {
	pattern := s.pattern
	if strings.TrimSpace(pattern) == "" {
		return nil, errors.New("empty path pattern")
	}
	if !hasMeta(pattern) {
		st, err := os.Stat(pattern)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, missingFolder(filepath.Dir(pattern))
		}
		if err != nil {
			return nil, fileError(pattern, err)
		}
		if st.IsDir() {
			return listFolder(pattern)
		}
		return []string{pattern}, nil
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("bad path pattern %q: %w", pattern, err)
	}
	root, rest := splitPattern(pattern)
	if err := missingFolder(root); err != nil {
		return nil, err
	}
	if strings.Contains(pattern, "**") {
		return walkGlob(ctx, root, rest)
	}
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	// Glob's * matches names starting with "."; keep out hidden folders
	// the way walkGlob does.
	return slices.DeleteFunc(paths, func(p string) bool {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return false
		}
		for _, seg := range strings.Split(rel, string(filepath.Separator)) {
			if skipName(seg) {
				return true
			}
		}
		return false
	}), nil
}

// splitPattern splits a glob into its longest folder prefix free of glob
// characters and the pattern segments below it.
func splitPattern(pattern string) (root string, rest []string) {
	sep := string(filepath.Separator)
	segs := strings.Split(filepath.Clean(pattern), sep)
	lit := 0
	for lit < len(segs)-1 && !hasMeta(segs[lit]) {
		lit++
	}
	root = strings.Join(segs[:lit], sep)
	switch {
	case lit == 0:
		root = "."
	case root == "":
		root = sep // an absolute pattern whose first folder is a wildcard
	}
	return root, segs[lit:]
}

// hasMeta reports whether a path contains glob characters.
func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

// skipName reports file names never listed: hidden files and Excel lock
// files.
func skipName(base string) bool {
	return strings.HasPrefix(base, ".") || strings.HasPrefix(base, "~$")
}

// listFolder returns the export files directly in dir.
func listFolder(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fileError(dir, err)
	}
	var out []string
	for _, e := range entries {
		if exportExts[strings.ToLower(filepath.Ext(e.Name()))] {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// walkGlob matches pattern segments with ** (any number of folders) by
// walking the folder tree below root; hidden folders are not entered.
func walkGlob(ctx context.Context, root string, pat []string) ([]string, error) {
	sep := string(filepath.Separator)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return fileError(p, err)
		}
		if p == root {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if matchSegments(pat, strings.Split(rel, sep)) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// matchSegments matches path segments against pattern segments, where a
// "**" segment matches zero or more path segments.
func matchSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegments(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, _ := filepath.Match(pat[0], name[0])
	return ok && matchSegments(pat[1:], name[1:])
}

// Fetch returns the file's own path; cleanup does nothing.
func (s *fileSource) Fetch(ctx context.Context, f FileRef) (string, func(), error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(f.Path); err != nil {
		return "", nil, fmt.Errorf("source %s: %w", s.name, fileError(f.Path, err))
	}
	return f.Path, func() {}, nil
}

// HashFile returns the lower-case hex SHA-256 of a file's content, read as a
// stream.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fileError(path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fileError(path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
