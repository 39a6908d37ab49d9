package harness

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// SharedTempDir is t.TempDir made reachable by the unprivileged uids the
// servers and scripts run as: t.TempDir's parent is created 0700 and owned
// by root, which would lock them out of everything below it.
func SharedTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// MkdirOwned creates dir with mode perm, owned by uid:gid.
func MkdirOwned(dir string, perm os.FileMode, uid, gid int) error {
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	if err := os.Chmod(dir, perm); err != nil {
		return err
	}
	return os.Chown(dir, uid, gid)
}

var (
	portsMu sync.Mutex
	ports   = map[int]bool{}
)

// FreePort returns a 127.0.0.1 TCP port nothing listens on now. The port is
// only reserved within this test binary (no two calls return the same one);
// another process could take it before the server binds, which on a test
// machine is rare enough to accept.
func FreePort() (int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !ports[port] {
			ports[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port found")
}
