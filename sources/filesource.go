package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cchc/cchc/internal/fileowner"
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
// Path. A symlink is followed only when its target lies inside the source's
// folder (the literal folder the pattern starts from, itself resolved);
// one leading out is returned with Skipped set. An entry that cannot be
// resolved or stat'ed (a symlink loop, no permission) is returned with Err
// set: it fails alone, the other files load.
func (s *fileSource) List(ctx context.Context) ([]FileRef, error) {
	paths, bad, err := s.match(ctx)
	if err != nil {
		return nil, fmt.Errorf("nguồn %s: %w", s.name, err)
	}
	root := s.root()
	realRoot, rerr := filepath.EvalSymlinks(root)
	if rerr != nil {
		realRoot = root
	}
	realRoot, _ = filepath.Abs(realRoot)
	refs := make([]FileRef, 0, len(paths))
	refs = append(refs, bad...)
	for _, p := range paths {
		if skipName(filepath.Base(p)) {
			continue
		}
		ref := FileRef{Source: s.name, Path: p, ModTime: time.Unix(0, 0).UTC()}
		real, err := filepath.EvalSymlinks(p)
		if errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(p); errors.Is(lerr, fs.ErrNotExist) {
				continue // removed since it was matched
			}
			ref.Err = fmt.Errorf("liên kết tượng trưng (symlink) trỏ tới tệp không tồn tại: %w", err)
			refs = append(refs, ref)
			continue
		}
		if err != nil {
			ref.Err = entryError(err)
			refs = append(refs, ref)
			continue
		}
		if abs, _ := filepath.Abs(real); !within(realRoot, abs) {
			ref.Skipped = "liên kết tượng trưng (symlink) trỏ ra ngoài thư mục nguồn " + realRoot + ": không đọc"
			refs = append(refs, ref)
			continue
		}
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			ref.Err = entryError(err)
			refs = append(refs, ref)
			continue
		}
		if !st.Mode().IsRegular() {
			continue
		}
		ref.Size, ref.ModTime = st.Size(), st.ModTime().UTC()
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool {
		if !refs[i].ModTime.Equal(refs[j].ModTime) {
			return refs[i].ModTime.Before(refs[j].ModTime)
		}
		return refs[i].Path < refs[j].Path
	})
	return refs, nil
}

// entryError says why a listed entry cannot be used, without its path (the
// caller names the file).
func entryError(err error) error {
	if errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many links") {
		return fmt.Errorf("liên kết tượng trưng (symlink) lặp vòng, không đọc được: %w", err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s (%s: %w)", pathProblem(pe.Err), pe.Op, pe.Err)
	}
	return err
}

// Folder is the folder a file source's path (a folder, a file or a glob)
// lists: the folder a process must be able to read to run the source.
func Folder(pattern string) string { return (&fileSource{pattern: pattern}).root() }

// root is the folder the pattern starts from: symlinks must stay inside it.
func (s *fileSource) root() string {
	if !hasMeta(s.pattern) {
		if st, err := os.Stat(s.pattern); err == nil && st.IsDir() {
			return s.pattern
		}
		return filepath.Dir(s.pattern)
	}
	root, _ := splitPattern(s.pattern)
	return root
}

// within reports whether path is root or below it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// missingFolder is an error when the folder a pattern starts from does not
// exist: an unmounted share or a mistyped path must fail the source, not
// pass as "no exports tonight".
func missingFolder(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("thư mục %s không tồn tại: ổ mạng chưa được gắn (mount) hoặc đường dẫn (path) của nguồn ghi sai; kiểm tra đường dẫn rồi chạy lại "+
			"(folder does not exist: an unmounted share or a mistyped path?)", dir)
	}
	if err != nil {
		return fileError(dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s không phải thư mục: đường dẫn (path) của nguồn phải bắt đầu bằng một thư mục; kiểm tra đường dẫn (is not a folder)", dir)
	}
	return nil
}

// match returns the paths the pattern names, unfiltered, and the entries
// below the root that could not be read (each to fail alone).
func (s *fileSource) match(ctx context.Context) ([]string, []FileRef, error) {
	pattern := s.pattern
	if strings.TrimSpace(pattern) == "" {
		return nil, nil, errors.New("đường dẫn (path) của nguồn để trống; ghi thư mục hoặc mẫu tên tệp, ví dụ /srv/xuat/*.xlsx (empty path pattern)")
	}
	if !hasMeta(pattern) {
		st, err := os.Stat(pattern)
		if errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(pattern); lerr == nil {
				return []string{pattern}, nil, nil // a dangling symlink: fails alone
			}
			return nil, nil, missingFolder(filepath.Dir(pattern))
		}
		if err != nil {
			if _, lerr := os.Lstat(pattern); lerr == nil {
				return []string{pattern}, nil, nil // a symlink loop: fails alone
			}
			return nil, nil, fileError(pattern, err)
		}
		if st.IsDir() {
			paths, err := listFolder(pattern)
			return paths, nil, err
		}
		return []string{pattern}, nil, nil
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, nil, fmt.Errorf("mẫu đường dẫn (path) %q không hợp lệ, thường do thiếu dấu ] đóng; kiểm tra đường dẫn của nguồn (bad path pattern: %w)", pattern, err)
	}
	root, rest := splitPattern(pattern)
	if err := missingFolder(root); err != nil {
		return nil, nil, err
	}
	if strings.Contains(pattern, "**") {
		return walkGlob(ctx, s.name, root, rest)
	}
	// Not filepath.Glob: it drops the folders it cannot read, and a
	// source folder this user may not list passed as "no files tonight".
	return globSegments(ctx, s.name, root, rest)
}

// globSegments matches pattern segments (no **) below root, one folder
// level at a time, leaving out hidden names as walkGlob does. A root it
// cannot read fails the source; a folder below it that cannot be read is
// returned as a failing FileRef, and the others are matched.
func globSegments(ctx context.Context, source, root string, pat []string) ([]string, []FileRef, error) {
	dirs := []string{root}
	var bad []FileRef
	for i, seg := range pat {
		last := i == len(pat)-1
		var next []string
		for _, dir := range dirs {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				if dir == root {
					return nil, nil, folderError(dir, err)
				}
				if !errors.Is(err, fs.ErrNotExist) {
					bad = append(bad, FileRef{Source: source, Path: dir, ModTime: time.Unix(0, 0).UTC(), Err: entryError(err)})
				}
				continue
			}
			for _, e := range entries {
				if skipName(e.Name()) {
					continue
				}
				if ok, _ := filepath.Match(seg, e.Name()); !ok {
					continue
				}
				p := filepath.Join(dir, e.Name())
				if last {
					next = append(next, p)
				} else if st, err := os.Stat(p); err == nil && st.IsDir() {
					next = append(next, p) // a symlinked folder too, as Glob did
				}
			}
		}
		dirs = next
	}
	return dirs, bad, nil
}

// folderError says that the folder a source lists cannot be read, and,
// when it is a question of permission, whose it is and who cchc runs as.
func folderError(dir string, err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return fileError(dir, err)
	}
	owner := "?"
	if uid, _, ok := fileowner.Of(dir); ok {
		owner = fileowner.UserName(uid)
	}
	return fmt.Errorf("không đọc được thư mục nguồn %s: không có quyền (thư mục thuộc người dùng %s, cchc đang chạy với người dùng %s); "+
		"hãy cho người dùng đó quyền đọc thư mục rồi chạy lại: %w", dir, owner, fileowner.UserName(os.Geteuid()), err)
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
		return nil, folderError(dir, err)
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
// walking the folder tree below root; hidden folders are not entered, nor
// symlinked folders (WalkDir does not follow them). A folder or entry that
// cannot be read below root is returned as a failing FileRef, and the walk
// goes on.
func walkGlob(ctx context.Context, source, root string, pat []string) ([]string, []FileRef, error) {
	sep := string(filepath.Separator)
	var out []string
	var bad []FileRef
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == root {
				if errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return folderError(p, err)
			}
			bad = append(bad, FileRef{Source: source, Path: p, ModTime: time.Unix(0, 0).UTC(), Err: entryError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
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
	return out, bad, err
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
		return "", nil, fmt.Errorf("nguồn %s: %w", s.name, fileError(f.Path, err))
	}
	return f.Path, func() {}, nil
}

// HashFileSums returns the lower-case hex SHA-256 of a file's content,
// read as a stream, and its Sum64, the sum a decoder opened with DecodeOptions.Hashed reports in
// its Digest for the same bytes, in one pass.
func HashFileSums(path string) (string, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fileError(path, err)
	}
	defer f.Close()
	h := sha256.New()
	var fp maphash.Hash
	fp.SetSeed(sumSeed)
	if _, err := io.Copy(io.MultiWriter(h, &fp), f); err != nil {
		return "", 0, fileError(path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), fp.Sum64(), nil
}
