package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"discoursegen.dev/discoursegen/hack/sources"
	"discoursegen.dev/discoursegen/internal/genfiles"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("schemagen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "schemas", "output directory (kubernetes/, crds/ and README.md are written there)")
	src := fs.String("sources", filepath.Join("hack", "sources.yaml"), "pinned upstream sources")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./hack/schemagen [-out DIR] [-sources FILE]\n\n")
		fmt.Fprintf(stderr, "Generates strict JSON schemas from the modules pinned in the sources file.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	res, err := generate(*src, *out)
	if err != nil {
		fmt.Fprintf(stderr, "schemagen: %v\n", err)
		return 1
	}
	for _, f := range res.foreign {
		fmt.Fprintf(stderr, "schemagen: warning: %s was not written by %s; it is kept\n", filepath.Join(*out, filepath.FromSlash(f)), generatorName)
	}
	fmt.Fprintf(stderr, "schemagen: %d schemas in %s (%d written, %d removed)\n", res.files, *out, res.written, res.removed)
	return 0
}

// origin records where a group of schemas came from, for the README.
type origin struct {
	Module, Version string
	Inputs          []string // paths inside the module
	Outputs         []string // paths relative to the output directory
}

type result struct {
	files, written, removed int
	// foreign are files in schemagen's directories that it did not write.
	foreign []string
}

// generate converts everything listed in the sources file and writes it
// below outDir, replacing stale output from earlier runs.
func generate(sourcesPath, outDir string) (result, error) {
	ctx := context.Background()
	src, err := sources.Load(sourcesPath)
	if err != nil {
		return result{}, err
	}
	files := map[string]schema{} // slash path relative to outDir
	var origins []origin

	k := src.Kubernetes
	dir, err := sources.ModuleDir(ctx, k.Module, k.Version)
	if err != nil {
		return result{}, err
	}
	conv, err := loadSwagger(filepath.Join(dir, filepath.FromSlash(k.Swagger)))
	if err != nil {
		return result{}, fmt.Errorf("%s@%s: %w", k.Module, k.Version, err)
	}
	o := origin{Module: k.Module, Version: k.Version, Inputs: []string{k.Swagger}}
	for _, kind := range k.Kinds {
		s, err := conv.kind(kind)
		if err != nil {
			return result{}, fmt.Errorf("%s@%s: %w", k.Module, k.Version, err)
		}
		name := k.SchemaPath(kind)
		if _, dup := files[name]; dup {
			return result{}, fmt.Errorf("%s is generated twice: kind %s/%s %s listed twice?", name, kind.Group, kind.Version, kind.Kind)
		}
		files[name] = s
		o.Outputs = append(o.Outputs, name)
	}
	origins = append(origins, o)

	meta, err := conv.objectMeta()
	if err != nil {
		return result{}, fmt.Errorf("objectmeta: %w", err)
	}
	for _, c := range src.CRDs {
		dir, err := c.Dir(ctx)
		if err != nil {
			return result{}, err
		}
		o := origin{Module: c.Module, Version: c.Version, Inputs: c.Files}
		for _, f := range c.Files {
			schemas, err := readCRDs(filepath.Join(dir, filepath.FromSlash(f)), meta)
			if err != nil {
				return result{}, fmt.Errorf("%s@%s %s: %w", c.Module, c.Version, f, err)
			}
			for _, s := range schemas {
				name := s.path()
				if _, dup := files[name]; dup {
					return result{}, fmt.Errorf("%s is generated twice (second time from %s@%s %s)", name, c.Module, c.Version, f)
				}
				files[name] = s.Schema
				o.Outputs = append(o.Outputs, name)
			}
		}
		origins = append(origins, o)
	}
	for i := range origins {
		slices.Sort(origins[i].Outputs)
	}

	rendered := make([]genfiles.File, 0, len(files)+1)
	for name, s := range files {
		b, err := marshal(s)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", name, err)
		}
		rendered = append(rendered, genfiles.File{Path: name, Data: b})
	}
	rendered = append(rendered, genfiles.File{Path: "README.md", Data: readme(origins, k)})
	return writeOutput(outDir, rendered)
}
