package publish

import "golang.org/x/sys/unix"

// exchangePaths swaps two paths atomically: renameat2(RENAME_EXCHANGE),
// Linux 3.15 and later, on the file systems that support it (ext4, xfs,
// btrfs, tmpfs; not every network or FUSE file system).
func exchangePaths(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
