package flux

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// kustomizationFile is the part of a kustomize.config.k8s.io/v1beta1
// Kustomization (sigs.k8s.io/kustomize/api/types.Kustomization) that the
// generator writes into golden/: the list of what it holds.
type kustomizationFile struct {
	Resources []string `json:"resources"`
}

// leafDir is a directory of golden/ whose kustomization.yaml lists only
// object files: a stage directory (data, migrate, app, post-migrate) or
// golden/<env>/flux.
type leafDir struct {
	rel   string   // repository-relative slash path, e.g. golden/production/forum/data
	files []string // the object files its kustomization.yaml lists, in order
}

// goldenEnv is one environment directory of golden/.
type goldenEnv struct {
	name   string
	stages []leafDir // every leaf directory but flux, sorted by path
	flux   *leafDir  // golden/<env>/flux; nil when the environment has none
}

// fluxDirName is the directory of an environment that holds its Flux
// Kustomizations; every other leaf directory is a stage.
const fluxDirName = "flux"

// discoverGolden finds every environment of golden/ and, in each, every
// directory with a kustomization.yaml, at whatever depth (golden/<env>/<site>/<stage>/ today): a test that
// knew the depth would pass vacuously once the layout changed. problems lists what
// makes a directory neither a stage nor a list of subdirectories; each
// names the directory.
func discoverGolden(t *testing.T) (envs []goldenEnv, problems []string) {
	t.Helper()
	entries, err := os.ReadDir(onDisk("golden"))
	if err != nil {
		t.Fatalf("golden output %s: %v; render it with `make generate`, or point "+
			"DISCOURSEGEN_GOLDEN at a directory holding one directory per environment", shown("golden"), err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		env := goldenEnv{name: e.Name()}
		leaves, envProblems := findLeaves(path.Join("golden", e.Name()))
		problems = append(problems, envProblems...)
		for _, l := range leaves {
			if l.rel == path.Join("golden", env.name, fluxDirName) {
				env.flux = &l
				continue
			}
			env.stages = append(env.stages, l)
		}
		envs = append(envs, env)
	}
	if len(envs) == 0 {
		t.Fatalf("%s holds no environment directory", shown("golden"))
	}
	return envs, problems
}

// findLeaves walks the directory rel (repository-relative) and returns its
// leaf directories. Every directory must have a kustomization.yaml: without
// one, Flux would generate a kustomization listing every YAML file below it,
// which is not what the generator committed.
func findLeaves(rel string) (leaves []leafDir, problems []string) {
	entries, err := os.ReadDir(onDisk(rel))
	if err != nil {
		return nil, []string{err.Error()}
	}
	k, err := readKustomization(rel)
	if err != nil {
		return nil, []string{err.Error()}
	}

	var files, dirs []string
	for _, r := range k.Resources {
		if !filepath.IsLocal(r) || strings.Contains(r, "://") {
			problems = append(problems, fmt.Sprintf("%s: resource %q is not a path inside the directory; "+
				"golden/ must build from the repository alone", shown(kustomizationPath(rel)), r))
			continue
		}
		st, err := os.Stat(onDisk(path.Join(rel, r)))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s lists %q, which is not there", shown(kustomizationPath(rel)), r))
		case st.IsDir():
			dirs = append(dirs, path.Clean(r))
		default:
			files = append(files, r)
		}
	}
	if len(files) > 0 && len(dirs) > 0 {
		problems = append(problems, fmt.Sprintf("%s lists both object files %v and directories %v; "+
			"a stage directory lists only its objects, any other only subdirectories", shown(kustomizationPath(rel)), files, dirs))
	}
	if len(dirs) == 0 {
		leaves = append(leaves, leafDir{rel: rel, files: files})
		problems = append(problems, unlistedFiles(rel, files, entries)...)
	}

	for _, e := range entries {
		if e.IsDir() {
			sub, subProblems := findLeaves(path.Join(rel, e.Name()))
			leaves = append(leaves, sub...)
			problems = append(problems, subProblems...)
		}
	}
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].rel < leaves[j].rel })
	return leaves, problems
}

// readKustomization reads rel/kustomization.yaml.
func readKustomization(rel string) (kustomizationFile, error) {
	var k kustomizationFile
	data, err := os.ReadFile(onDisk(kustomizationPath(rel)))
	if err != nil {
		return k, fmt.Errorf("%s has no readable kustomization.yaml (%w); Flux would generate one "+
			"that lists every YAML file below it", shown(rel), err)
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return k, fmt.Errorf("%s: %w", shown(kustomizationPath(rel)), err)
	}
	return k, nil
}

func kustomizationPath(dir string) string { return path.Join(dir, "kustomization.yaml") }

// unlistedFiles names the files of a stage directory that its
// kustomization.yaml does not list: committed, but never applied.
func unlistedFiles(rel string, listed []string, entries []os.DirEntry) []string {
	isListed := map[string]bool{"kustomization.yaml": true}
	for _, f := range listed {
		isListed[path.Clean(f)] = true
	}
	var problems []string
	for _, e := range entries {
		if !e.IsDir() && !isListed[e.Name()] {
			problems = append(problems, fmt.Sprintf("%s is committed but %s does not list it, so Flux never applies it",
				shown(path.Join(rel, e.Name())), shown(kustomizationPath(rel))))
		}
	}
	return problems
}

// objectID is how kustomize tells objects apart in a build (resid.ResId
// less the group/version split): two files with one ID cannot both be
// applied.
type objectID struct {
	apiVersion, kind, namespace, name string
}

func (id objectID) String() string {
	if id.namespace == "" {
		return fmt.Sprintf("%s %s (%s)", id.kind, id.name, id.apiVersion)
	}
	return fmt.Sprintf("%s %s/%s (%s)", id.kind, id.namespace, id.name, id.apiVersion)
}

// objectHead is the part of any object that gives its ID.
type objectHead struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// committedObject is one object file of a stage directory.
type committedObject struct {
	file string // the path to show, see shown
	id   objectID
	body []byte // the file after its two header lines; nil if they are wrong
}

// generatedHeader is the two lines the generator writes above every object
// file of golden/<env>/.
func generatedHeader(env string) string {
	return fmt.Sprintf("# Code generated by discoursegen from clusters/%s; DO NOT EDIT.\n"+
		"# Regenerate with `make generate`.\n", env)
}

// readCommitted reads every object file dir lists, keyed by object ID.
// problems names each file whose header is not the generator's, whose
// object cannot be read, or whose object another file already holds.
func readCommitted(env string, dir leafDir) (map[objectID]committedObject, []string) {
	objects := map[objectID]committedObject{}
	var problems []string
	header := generatedHeader(env)
	for _, f := range dir.files {
		file := shown(path.Join(dir.rel, f))
		data, err := os.ReadFile(onDisk(path.Join(dir.rel, f)))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		body, ok := strings.CutPrefix(string(data), header)
		if !ok {
			// Still read the object, so that the build's copy of it is not
			// also reported as an object no file holds.
			problems = append(problems, fmt.Sprintf("%s does not begin with the generator's two header lines:\n%s", file, header))
			body = string(data)
		}
		var head objectHead
		if err := yaml.Unmarshal([]byte(body), &head); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		id := objectID{head.APIVersion, head.Kind, head.Metadata.Namespace, head.Metadata.Name}
		if other, dup := objects[id]; dup {
			problems = append(problems, fmt.Sprintf("%s and %s both hold %s", other.file, file, id))
			continue
		}
		c := committedObject{file: file, id: id}
		if ok {
			c.body = []byte(body)
		}
		objects[id] = c
	}
	return objects, problems
}
