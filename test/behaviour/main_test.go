package behaviour

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"discoursegen.dev/discoursegen/test/behaviour/internal/harness"
	"discoursegen.dev/discoursegen/test/behaviour/internal/manifests"
)

// envs are the environments discoursegen renders, in the order they are
// checked.
var envs = []string{"local", "staging", "production"}

// goldenDir is golden/ at the repository root, or DISCOURSEGEN_GOLDEN when
// set (to judge output rendered elsewhere).
func goldenDir() string {
	if d := os.Getenv("DISCOURSEGEN_GOLDEN"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "golden")
}

// loadEnv reads golden/<env>. A missing or empty directory fails the test:
// nothing checked must never pass as everything behaved.
func loadEnv(t testing.TB, env string) []manifests.Object {
	t.Helper()
	dir := filepath.Join(goldenDir(), env)
	objs, err := manifests.LoadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v\nRender the manifests first (make generate), or point DISCOURSEGEN_GOLDEN at a directory holding local/, staging/ and production/.", dir, err)
	}
	return objs
}

// secretValue is the test's stand-in for key of Secret name. discoursegen
// never renders Secret data, so any value will do, but each (Secret, key)
// gets its own: a script that reads the wrong key then gets the wrong
// password and fails, as it would in the cluster.
func secretValue(name, key string) string {
	return "test-" + name + "-" + key
}

// runIdentity is who container c of w runs as, as the kubelet and the
// runtime decide it, in an image with img's accounts.
func runIdentity(w manifests.Workload, c corev1.Container, img harness.Image) (harness.Identity, error) {
	kid, err := w.ContainerIdentity(c)
	if err != nil {
		return harness.Identity{}, err
	}
	id := harness.Identity{UID: int(kid.UID), Accounts: img.Accounts}
	switch {
	case kid.GID != nil:
		id.GID = int(*kid.GID)
	default:
		// No runAsGroup anywhere: the runtime takes the primary group of
		// the uid's passwd entry in the image, or 0 without one.
		for _, a := range img.Accounts {
			if a.UID == id.UID {
				id.GID = a.GID
			}
		}
	}
	for _, g := range kid.Groups {
		id.Groups = append(id.Groups, int(g))
	}
	return id, nil
}
