package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"discoursegen.dev/discoursegen/functions/discourse"
)

// The commands refuse oversized input before anything parses it: a YAML
// parser holds tens of times its input in memory, kustomize more. The
// config limits are discourse.MaxConfigBytes and
// discourse.MaxConfigValues; this file applies them where each command
// reads: render's file, the function's stdin and config file, and every
// file in clusters/ before generate lets kustomize read any of them.

// maxFnInput bounds the ResourceList `discoursegen fn` reads: 32 MiB. The
// validator receives every rendered object of an environment as items
// (about 60 KB per site today, so this is room for hundreds of sites),
// while the functionConfig in it gets the config limit. Parsing 32 MiB of
// manifests costs the YAML parser about half a GB.
const maxFnInput = 32 << 20

// readConfig reads a config file, refusing one over
// discourse.MaxConfigBytes before reading it, or, when its size is not
// known in advance (a pipe, a device), as soon as the read passes the
// limit.
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		if err := discourse.CheckSize(info.Size(), false); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, discourse.MaxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if err := discourse.CheckSize(int64(len(data)), true); err != nil {
		return nil, err
	}
	return data, nil
}

// fnInput bounds what `discoursegen fn` reads. The config file of
// `discoursegen fn CONFIG.yaml` (the first argument that is not a flag)
// is checked now, before kyaml reads it whole and parses its first
// document, dropping any other; stdin is read, when kyaml first reads
// it, up to maxFnInput, and its functionConfig is measured before kyaml
// parses anything.
func fnInput(args []string, stdin io.Reader) (io.Reader, error) {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		data, err := readConfig(a)
		if err == nil {
			err = discourse.CheckDocument(data)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		break
	}
	return &boundedInput{r: stdin}, nil
}

// boundedInput reads all of stdin on its first Read, so that nothing is
// read (and nothing blocks) when kyaml never asks for stdin, as with
// `discoursegen fn CONFIG.yaml`.
type boundedInput struct {
	r    io.Reader
	data *bytes.Reader
	err  error
}

func (b *boundedInput) Read(p []byte) (int, error) {
	if b.data == nil && b.err == nil {
		b.load()
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.data.Read(p)
}

func (b *boundedInput) load() {
	data, err := io.ReadAll(io.LimitReader(b.r, maxFnInput+1))
	switch {
	case err != nil:
		b.err = err
		return
	case len(data) > maxFnInput:
		b.err = fmt.Errorf("stdin: more than %d MiB, over the %d MiB limit for a ResourceList", maxFnInput>>20, maxFnInput>>20)
		return
	}
	// The limits of a config file, before kyaml parses the whole input:
	// kyaml's parse, and its echo of the functionConfig on failure, cost
	// 700 MB for a functionConfig of 1 MiB of values.
	if config, size, ok := functionConfig(data); ok {
		err := discourse.CheckSize(size, false)
		if err == nil {
			_, err = discourse.CheckYAML(config)
		}
		if err != nil {
			b.err = fmt.Errorf("functionConfig: %w", err)
			return
		}
	}
	b.data = bytes.NewReader(data)
}

// functionConfig finds the functionConfig of a ResourceList without
// parsing it, as kustomize writes one (kyaml's encoder: block style, the
// top-level keys at column 0, everything under them indented): the lines
// from "functionConfig:" to the next top-level key, without the
// indentation the nesting added, as a document of its own. It measures
// before it copies, and a config over discourse.MaxConfigBytes comes back
// as its size alone. ok is false when there is no such line, or the lines
// are not so indented (JSON, flow style, a hand-made ResourceList); the
// processor then checks the node kyaml parsed, within maxFnInput.
func functionConfig(data []byte) (config []byte, size int64, ok bool) {
	// The first line is what follows the key on its own line (a
	// flow-style config starts there), the others are indented.
	var first []byte
	var region []byte
	for rest := data; len(rest) > 0; {
		line := nextLine(rest)
		if topLevelKey(line) {
			if ok {
				region = region[:len(region)-len(rest)]
				break
			}
			if after, found := bytes.CutPrefix(line, []byte("functionConfig:")); found {
				ok, first = true, bytes.TrimLeft(after, " ")
				region = rest[len(line):]
			}
		}
		rest = rest[len(line):]
	}
	if !ok {
		return nil, 0, false
	}
	// The nesting's indentation is that of the first line with content;
	// every other line with content has at least as much.
	indent := -1
	size = int64(len(first))
	for rest := region; len(rest) > 0; {
		line := nextLine(rest)
		rest = rest[len(line):]
		content := bytes.TrimLeft(line, " ")
		spaces := len(line) - len(content)
		if len(bytes.TrimSpace(content)) > 0 && content[0] != '#' {
			if indent < 0 {
				indent = spaces
			} else if spaces < indent {
				return nil, 0, false
			}
		}
		size += int64(len(line) - min(max(indent, 0), spaces))
	}
	if size > discourse.MaxConfigBytes {
		return nil, size, true
	}
	config = append(make([]byte, 0, size), first...)
	for rest := region; len(rest) > 0; {
		line := nextLine(rest)
		rest = rest[len(line):]
		config = append(config, line[min(max(indent, 0), len(line)-len(bytes.TrimLeft(line, " "))):]...)
	}
	return config, size, true
}

// nextLine is the first line of data, with its newline.
func nextLine(data []byte) []byte {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[:i+1]
	}
	return data
}

// topLevelKey is true for a line that starts a key of the top-level
// mapping, or ends the document: anything at column 0 but a comment, a
// list entry (kyaml writes items' entries at column 0) or a blank line.
func topLevelKey(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case ' ', '\t', '\r', '\n', '#', '-':
		return bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("..."))
	}
	return true
}

// checkInputs is generate's guard: before kustomize reads a file of
// clusters, every file there is within discourse.MaxConfigBytes, and every
// YAML file parses, has no duplicate key, holds something, and stays
// within discourse.MaxConfigValues with its aliases expanded. kustomize
// would otherwise parse a 20 MB file itself (1.6 GB before our function
// runs), expand an alias bomb without bound (17 GB in 20 seconds), take
// the last of two duplicate keys, and treat an empty patch as no patch,
// rendering the base config in its place. Every file is reported, each
// with its path.
func checkInputs(clusters string) error {
	var errs []error
	walkErr := filepath.WalkDir(clusters, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if err := checkInput(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
		return nil
	})
	return errors.Join(append(errs, walkErr)...)
}

func checkInput(path string) error {
	// Stat, not the walk's Lstat: kustomize follows a symbolic link.
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s); clusters/ holds configs and kustomizations", info.Mode().Type())
	}
	if err := discourse.CheckSize(info.Size(), false); err != nil {
		return err
	}
	if !isYAMLFile(path) {
		return nil
	}
	data, err := readConfig(path)
	if err != nil {
		return err
	}
	documents, err := discourse.CheckYAML(data)
	if err != nil {
		return err
	}
	if documents == 0 {
		return errors.New("empty: kustomize would take an empty patch or resource file as nothing to do; write the config, or delete the file and its entry in the kustomization")
	}
	return nil
}

// isYAMLFile is true for the files kustomize parses as YAML.
func isYAMLFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return filepath.Base(path) == "Kustomization"
}
