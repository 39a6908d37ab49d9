package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Image is what the tests reproduce of a container image: the accounts in
// its /etc/passwd and the programs its scripts call, each played by a
// binary of this machine. The images are Debian based, like this machine,
// so sh, grep, sleep and friends come from /usr/bin and /bin.
type Image struct {
	Accounts []Account
	Programs map[string]string // name on the image's PATH -> binary here
}

// LookupImage returns the Image for a repository (an image reference
// without tag or digest). An unknown image is an error: the tests cannot
// know which programs or accounts it has.
func LookupImage(repository string) (Image, error) {
	switch repository {
	case "ghcr.io/cloudnative-pg/postgresql":
		// CloudNativePG's operand images run PostgreSQL as postgres, uid
		// and gid 26.
		bin, err := PostgresBinDir()
		if err != nil {
			return Image{}, err
		}
		return Image{
			Accounts: []Account{{Name: "postgres", UID: 26, GID: 26}},
			Programs: map[string]string{
				"pg_isready": filepath.Join(bin, "pg_isready"),
				"psql":       filepath.Join(bin, "psql"),
			},
		}, nil
	case "docker.io/valkey/valkey", "valkey/valkey", "ghcr.io/valkey-io/valkey":
		// The official Valkey image has a valkey user, uid and gid 999.
		// Debian's redis-server package plays Valkey: same protocol, same
		// CLI flags for what the scripts use, REDISCLI_AUTH honoured.
		return Image{
			Accounts: []Account{{Name: "valkey", UID: 999, GID: 999}},
			Programs: map[string]string{
				"valkey-cli":    "/usr/bin/redis-cli",
				"valkey-server": "/usr/bin/redis-server",
			},
		}, nil
	}
	return Image{}, fmt.Errorf("image %s is not modelled: add its accounts and programs to harness.LookupImage", repository)
}

// PathDir creates, under scratch, a directory of symlinks to img's programs
// and returns a PATH that puts it before /usr/bin and /bin.
func (img Image) PathDir(scratch string) (string, error) {
	dir, err := os.MkdirTemp(scratch, "path-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	for name, target := range img.Programs {
		if _, err := os.Stat(target); err != nil {
			return "", fmt.Errorf("%s for the image's %s: %w (run test/behaviour/run.sh, which installs it)", target, name, err)
		}
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return dir + ":/usr/local/bin:/usr/bin:/bin", nil
}

// PostgresBinDir is the server binaries' directory of the newest
// PostgreSQL installed from Debian packages (/usr/lib/postgresql/N/bin).
func PostgresBinDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(matches) == 0 {
		return "", fmt.Errorf("no PostgreSQL server in /usr/lib/postgresql/*/bin (run test/behaviour/run.sh, which installs the postgresql package)")
	}
	major := func(p string) int {
		n, _ := strconv.Atoi(strings.Split(p, "/")[4])
		return n
	}
	sort.Slice(matches, func(i, j int) bool { return major(matches[i]) < major(matches[j]) })
	return filepath.Dir(matches[len(matches)-1]), nil
}
