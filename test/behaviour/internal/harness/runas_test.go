package harness

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunAsHasNoPasswdEntry checks the premise of every init container
// test: a uid that has a passwd entry on this machine (1000 often does) has
// none for the process RunAs starts, which sees only root, and the host's
// /etc/passwd is untouched afterwards.
func TestRunAsHasNoPasswdEntry(t *testing.T) {
	before, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	dir := SharedTempDir(t)
	cmd, err := RunAs(dir, Identity{UID: 1000, GID: 1000}, []string{"PATH=/usr/bin:/bin"},
		"sh", "-c", `id -u; id -g; id -G; id -un || echo no-name; cat /etc/passwd`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start("id", cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !p.WaitFor(10 * time.Second) {
		_ = p.Stop(nil, 0)
		t.Fatal("timed out")
	}
	out := p.Output()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code, _ := p.Exited(); code != 0 || len(lines) < 5 {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if lines[0] != "1000" || lines[1] != "1000" || lines[2] != "1000" {
		t.Errorf("want uid, gid and groups 1000 only, got %q", lines[:3])
	}
	if !strings.Contains(out, "no-name") {
		t.Errorf("uid 1000 still has a name:\n%s", out)
	}
	var passwd []string
	for _, l := range lines {
		if strings.Contains(l, ":x:") {
			passwd = append(passwd, l)
		}
	}
	if len(passwd) != 1 || !strings.HasPrefix(passwd[0], "root:") {
		t.Errorf("want /etc/passwd with only root, got %q", passwd)
	}
	after, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("the host's /etc/passwd changed")
	}
}
