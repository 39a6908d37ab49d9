package harness

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Account is one line of the /etc/passwd a process sees (with a group of
// the same name and gid in /etc/group).
type Account struct {
	Name     string
	UID, GID int
}

// root is in every image's /etc/passwd.
var root = Account{Name: "root", UID: 0, GID: 0}

// Identity is who a process runs as and which accounts it can look up.
type Identity struct {
	UID, GID int
	// Groups are the supplementary groups; none when empty.
	Groups []int
	// Accounts are the entries of /etc/passwd and /etc/group besides root,
	// which is always there. A uid not among them has no passwd entry.
	Accounts []Account
}

func (id Identity) String() string {
	return fmt.Sprintf("uid=%d gid=%d groups=%v", id.UID, id.GID, id.Groups)
}

// HasPasswdEntry reports whether id.UID is among the accounts it sees.
func (id Identity) HasPasswdEntry() bool {
	for _, a := range append([]Account{root}, id.Accounts...) {
		if a.UID == id.UID {
			return true
		}
	}
	return false
}

// runAsScript runs inside the new mount namespace, as root: it bind-mounts
// the prepared passwd and group files ($1, $2) and execs the rest of its
// arguments (setpriv ...). The bind mounts vanish with the namespace.
const runAsScript = `mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"`

// RunAs returns a command that runs argv as id, with exactly env as its
// environment (argv[0] is looked up in env's PATH, as a container runtime
// does), inside a private mount namespace whose /etc/passwd and /etc/group
// hold only root and id.Accounts. scratch is a directory for the two files.
func RunAs(scratch string, id Identity, env []string, argv ...string) (*exec.Cmd, error) {
	tools := map[string]string{}
	for _, name := range []string{"unshare", "mount", "setpriv", "sh"} {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, fmt.Errorf("RunAs needs %s (util-linux, dash): %w", name, err)
		}
		tools[name] = p
	}
	var passwd, group strings.Builder
	for _, a := range append([]Account{root}, id.Accounts...) {
		home := "/home/" + a.Name
		if a.UID == 0 {
			home = "/root"
		}
		fmt.Fprintf(&passwd, "%s:x:%d:%d:%s:%s:/bin/sh\n", a.Name, a.UID, a.GID, a.Name, home)
		fmt.Fprintf(&group, "%s:x:%d:\n", a.Name, a.GID)
	}
	passwdFile, err := writeTemp(scratch, "passwd-*", passwd.String())
	if err != nil {
		return nil, err
	}
	groupFile, err := writeTemp(scratch, "group-*", group.String())
	if err != nil {
		return nil, err
	}
	args := []string{
		"--mount", "--propagation", "private", "--",
		tools["sh"], "-c", runAsScript, "runas", passwdFile, groupFile,
		tools["setpriv"], "--reuid", strconv.Itoa(id.UID), "--regid", strconv.Itoa(id.GID),
	}
	if len(id.Groups) == 0 {
		args = append(args, "--clear-groups")
	} else {
		gs := make([]string, len(id.Groups))
		for i, g := range id.Groups {
			gs[i] = strconv.Itoa(g)
		}
		args = append(args, "--groups", strings.Join(gs, ","))
	}
	// The kernel clears the parent-death signal when the uid changes;
	// "keep" makes setpriv set it again (see Start).
	args = append(args, "--pdeathsig", "keep", "--")
	args = append(args, argv...)
	cmd := exec.Command(tools["unshare"], args...)
	// The wrapper runs with absolute paths, so the container's PATH is
	// only used by setpriv to find argv[0] and by the script itself.
	cmd.Env = env
	cmd.Dir = scratch
	return cmd, nil
}

func writeTemp(dir, pattern, content string) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}
