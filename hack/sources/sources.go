package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Sources is hack/sources.yaml.
type Sources struct {
	Kubernetes Kubernetes  `json:"kubernetes"`
	CRDs       []CRDSource `json:"crds"`
}

// Kubernetes is the pinned Kubernetes release: its swagger is where the
// core kinds' schemas come from, and its version is the apiserver's.
type Kubernetes struct {
	Module  string `json:"module"`
	Version string `json:"version"`
	// Swagger is the slash path of the OpenAPI v2 document in the module.
	Swagger string `json:"swagger"`
	// Kinds are the core kinds schemas are generated for.
	Kinds []Kind `json:"kinds"`
}

// Kind names one Kubernetes kind, built in or custom; Group is empty for
// the core group.
type Kind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// CRDSource is one Go module and the CRD files inside it.
type CRDSource struct {
	Module  string   `json:"module"`
	Version string   `json:"version"`
	Files   []string `json:"files"` // slash paths in the module
	// Sum is the module's h1: hash, given only for a module the Go
	// checksum database does not know. The download then skips the
	// checksum database for this one module (GONOSUMDB) and this pinned
	// hash verifies it instead, so nothing is trusted on first use.
	Sum string `json:"sum,omitempty"`
}

// Load reads the sources file at path strictly: a typo in a key would
// otherwise silently drop a kind or a CRD from the schemas and the e2e
// apiserver alike.
func Load(path string) (*Sources, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	var s Sources
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

// ModuleDir returns the module cache directory of module@version,
// downloading it through the module proxy if it is not there yet.
//
// `go mod download -json` is the one sanctioned way to reach upstream
// sources: it verifies the module against the checksum database, reuses
// the local cache and never runs module code. It runs outside any module
// (in the system temp directory, with GOWORK=off), so a lookup never edits
// the go.mod or go.sum of the module that asks, whichever of this
// repository's modules that is.
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
	// On failure the go command still prints a JSON object with an Error
	// field, which says more than the exit status.
	var info struct {
		Dir   string
		Sum   string
		Error string
	}
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		if runErr != nil {
			return "", fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, bytes.TrimSpace(stderr.Bytes()))
		}
		return "", fmt.Errorf("go mod download %s@%s: decode output: %w", module, version, err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, bytes.TrimSpace(stderr.Bytes()))
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

// APIVersion is the kind's apiVersion as a manifest spells it.
func (k Kind) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// SchemaDir is the directory, slash separated and relative to schemas/,
// that hack/schemagen writes the core kinds' schemas to: kubeconform's
// {{.NormalizedKubernetesVersion}}-standalone-strict below kubernetes/.
func (k Kubernetes) SchemaDir() string {
	return path.Join("kubernetes", k.Version+"-standalone-strict")
}

// SchemaPath is where hack/schemagen writes the schema of kind, slash
// separated and relative to schemas/: kubeconform's
// {{.ResourceKind}}{{.KindSuffix}}.json in SchemaDir, where the kind suffix
// is "-<first label of the group>-<version>", or "-<version>" for the core
// group.
func (k Kubernetes) SchemaPath(kind Kind) string {
	suffix := "-" + kind.Version
	if kind.Group != "" {
		first, _, _ := strings.Cut(kind.Group, ".")
		suffix = "-" + first + "-" + kind.Version
	}
	return path.Join(k.SchemaDir(), strings.ToLower(kind.Kind)+suffix+".json")
}

// CRDSchemaPath is where hack/schemagen writes the schema of one served
// version of a CRD, slash separated and relative to schemas/: the Datree
// CRDs-catalog layout kubeconform documents,
// {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json, below crds/.
func CRDSchemaPath(k Kind) string {
	return path.Join("crds", k.Group, strings.ToLower(k.Kind)+"_"+k.Version+".json")
}
