package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"discoursegen.dev/discoursegen/schemas/engine"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("schemacompile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "schemas", "the schemas directory: read from its "+fmt.Sprint(engine.SchemaDirs)+", written to its "+engine.TableFile)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./hack/schemacompile [-dir DIR]\n\n")
		fmt.Fprintf(stderr, "Compiles the JSON schemas into the table the validator loads for free.\n\n")
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
	written, err := generate(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "schemacompile: %v\n", err)
		return 1
	}
	state := "unchanged"
	if written {
		state = "written"
	}
	fmt.Fprintf(stderr, "schemacompile: %s %s\n", filepath.Join(*dir, engine.TableFile), state)
	return 0
}

// generate compiles the schemas below dir and writes the table, unless the
// file already holds exactly these bytes (so make sees no change).
func generate(dir string) (written bool, err error) {
	src, err := engine.TableSource(os.DirFS(dir))
	if err != nil {
		return false, err
	}
	out := filepath.Join(dir, engine.TableFile)
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return false, nil
	}
	// Write beside the target and rename, so a reader (or a build) never
	// sees half a file.
	tmp, err := os.CreateTemp(dir, ".schemacompile-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), out)
}
