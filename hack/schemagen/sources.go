package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// sources mirrors hack/sources.yaml. The file is shared with the e2e
// harness, so this type only reads it; its format is owned elsewhere.
type sources struct {
	Kubernetes kubernetesSource `json:"kubernetes"`
	CRDs       []crdSource      `json:"crds"`
}

type kubernetesSource struct {
	Module  string    `json:"module"`
	Version string    `json:"version"`
	Swagger string    `json:"swagger"`
	Kinds   []kindRef `json:"kinds"`
}

// kindRef names one Kubernetes kind; Group is empty for the core group.
type kindRef struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

type crdSource struct {
	Module  string   `json:"module"`
	Version string   `json:"version"`
	Files   []string `json:"files"`
}

// readSources decodes sources.yaml strictly: a typo in a key there would
// otherwise silently drop a kind or a CRD from the schema set.
func readSources(path string) (*sources, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	var s sources
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if s.Kubernetes.Module == "" || s.Kubernetes.Version == "" || s.Kubernetes.Swagger == "" {
		return nil, fmt.Errorf("parse %s: kubernetes.module, .version and .swagger are required", path)
	}
	for i, c := range s.CRDs {
		if c.Module == "" || c.Version == "" || len(c.Files) == 0 {
			return nil, fmt.Errorf("parse %s: crds[%d] needs module, version and files", path, i)
		}
	}
	return &s, nil
}
