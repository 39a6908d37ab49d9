package build

import (
	"os"
	"path/filepath"
	"slices"
)

// Environments lists the environments of a clusters directory, sorted:
// its subdirectories with a kustomization.yaml, except base, which holds
// only the shared config. generate renders each of them; pin, promote and
// diff name them.
func Environments(clusters string) ([]string, error) {
	entries, err := os.ReadDir(clusters)
	if err != nil {
		return nil, err
	}
	var envs []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "base" {
			continue
		}
		if _, err := os.Stat(filepath.Join(clusters, e.Name(), "kustomization.yaml")); err == nil {
			envs = append(envs, e.Name())
		}
	}
	slices.Sort(envs)
	return envs, nil
}
