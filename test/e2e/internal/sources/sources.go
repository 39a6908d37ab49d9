package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// Sources is the part of hack/sources.yaml this harness reads. Other keys
// (kubernetes.swagger, kubernetes.kinds) belong to the schema generator and
// are ignored here, so the file can grow without breaking the harness.
type Sources struct {
	Kubernetes struct {
		Module  string `json:"module"`
		Version string `json:"version"`
	} `json:"kubernetes"`
	CRDs []CRDSource `json:"crds"`
}

// CRDSource is one Go module and the CRD files inside it.
type CRDSource struct {
	Module  string   `json:"module"`
	Version string   `json:"version"`
	Files   []string `json:"files"`
	// Sum is the module's h1: hash, given only for a module the Go
	// checksum database does not know. The download then skips the
	// checksum database for this one module (GONOSUMDB) and this pinned
	// hash verifies it instead, so nothing is trusted on first use.
	Sum string `json:"sum,omitempty"`
}

// Load parses the sources file at path.
func Load(path string) (*Sources, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Sources
	if err := yaml.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Kubernetes.Version == "" {
		return nil, fmt.Errorf("%s: kubernetes.version is missing", path)
	}
	for i, c := range s.CRDs {
		if c.Module == "" || c.Version == "" || len(c.Files) == 0 {
			return nil, fmt.Errorf("%s: crds[%d] needs module, version and files", path, i)
		}
	}
	return &s, nil
}

// ModuleDir downloads module@version through the Go module proxy (or finds
// it in the module cache) and returns its directory, as `go mod download
// -json` reports it.
//
// It runs outside any module (in the system temp directory, with GOWORK=off)
// so that looking a module up never edits test/e2e's go.mod or go.sum.
func ModuleDir(ctx context.Context, module, version string) (string, error) {
	return moduleDir(ctx, module, version, "")
}

// moduleDir is ModuleDir for a module that is verified against sum
// (CRDSource.Sum) instead of the checksum database, when sum is set.
func moduleDir(ctx context.Context, module, version, sum string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on")
	if sum != "" {
		cmd.Env = append(cmd.Env, "GONOSUMDB="+module)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var info struct {
		Dir   string
		Sum   string
		Error string
	}
	// On failure go still prints the JSON with an Error field.
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %v: %s%s", module, version, runErr, stderr.String(), stdout.String())
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %v: %s", module, version, runErr, stderr.String())
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no Dir in output", module, version)
	}
	if sum != "" && info.Sum != sum {
		return "", fmt.Errorf("go mod download %s@%s: hash %s, but hack/sources.yaml pins %s", module, version, info.Sum, sum)
	}
	return info.Dir, nil
}

// Dir is the module cache directory of the CRD source's module,
// downloaded and verified (by the checksum database, or by Sum).
func (c CRDSource) Dir(ctx context.Context) (string, error) {
	return moduleDir(ctx, c.Module, c.Version, c.Sum)
}

// CRDFiles resolves every CRD file listed in s to a path on disk.
func (s *Sources) CRDFiles(ctx context.Context) ([]string, error) {
	var paths []string
	for _, c := range s.CRDs {
		dir, err := c.Dir(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range c.Files {
			p := filepath.Join(dir, filepath.FromSlash(f))
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("%s@%s: %w", c.Module, c.Version, err)
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}
