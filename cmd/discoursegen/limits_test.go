//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFunctionConfig: the functionConfig of a ResourceList as kustomize
// writes it is found without parsing, as a document of its own, wherever
// it is among the top-level keys; other shapes are left to the parser.
func TestFunctionConfig(t *testing.T) {
	cases := []struct {
		name, input, want string
		ok                bool
	}{
		{"last, as kustomize writes it",
			"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  metadata: {name: a}\nfunctionConfig:\n  kind: Discourse\n  spec:\n    env:\n    - name: A\n      value: |\n        two\n         lines\n",
			"\nkind: Discourse\nspec:\n  env:\n  - name: A\n    value: |\n      two\n       lines\n", true},
		{"first, before the items",
			"functionConfig:\n    kind: Discourse\n    # a comment\n# a comment at column 0\n    spec: {}\nitems: []\n",
			"\nkind: Discourse\n# a comment\n# a comment at column 0\nspec: {}\n", true},
		{"flow style on the key's line", "items: []\nfunctionConfig: {kind: Discourse,\n  spec: {}}\n", "{kind: Discourse,\nspec: {}}\n", true},
		{"none", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n", "", false},
		{"JSON", `{"functionConfig": {"kind": "Discourse"}}`, "", false},
		{"indentation that shrinks", "functionConfig:\n    kind: Discourse\n  spec: {}\n", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, size, ok := functionConfig([]byte(c.input))
			if ok != c.ok || string(got) != c.want || ok && size != int64(len(c.want)) {
				t.Errorf("got %q (size %d, ok %v), want %q (ok %v)", got, size, ok, c.want, c.ok)
			}
		})
	}
	big := "functionConfig:\n  spec:\n" + strings.Repeat("    a: b\n", 200_000)
	// The newline after the key, "spec:\n", and each "a: b\n".
	if got, size, ok := functionConfig([]byte(big)); !ok || got != nil || size != 1+6+200_000*7 {
		t.Errorf("an oversized config: got %d bytes, size %d, ok %v", len(got), size, ok)
	}
}

// TestBoundedInput: stdin is read only when kyaml asks, and refused past
// the cap or with an oversized functionConfig, before anything parses it.
func TestBoundedInput(t *testing.T) {
	in, err := fnInput(nil, strings.NewReader("items: []\nfunctionConfig:\n  kind: Discourse\n"))
	if err != nil {
		t.Fatal(err)
	}
	if data, err := io.ReadAll(in); err != nil || !bytes.Contains(data, []byte("kind: Discourse")) {
		t.Errorf("a small ResourceList: %q, %v", data, err)
	}
	over := strings.NewReader(strings.Repeat("#\n", maxFnInput/2+1))
	if _, err := io.ReadAll(&boundedInput{r: over}); err == nil || !strings.Contains(err.Error(), "over the 32 MiB limit for a ResourceList") {
		t.Errorf("a ResourceList over the cap: %v", err)
	}
	fat := "items: []\nfunctionConfig:\n  kind: Discourse\n  spec:\n" + strings.Repeat("    # padding\n", 100_000)
	if _, err := io.ReadAll(&boundedInput{r: strings.NewReader(fat)}); err == nil || !strings.Contains(err.Error(), "functionConfig: 1200023 bytes is over the 1 MiB limit") {
		t.Errorf("a functionConfig over the limit: %v", err)
	}
	// Never read: nothing blocks, nothing is refused.
	if _, err := fnInput([]string{"config.yaml"}, errReader{}); err != nil {
		t.Errorf("fn CONFIG with a missing file: %v (kyaml reports it)", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { panic("stdin was read") }

// TestCheckInputsOddFiles: a file kustomize would read without end (a
// FIFO, a link to a device) is refused by name, like a large one.
func TestCheckInputsOddFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "env", "kustomization.yaml"), "resources: [site.yaml]\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "env", "site.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "env", "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "env", "notes.txt"), "not YAML, and not read")
	err := checkInputs(dir)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"site.yaml: not a regular file", "zero.yaml: not a regular file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "notes.txt") || strings.Contains(err.Error(), "kustomization.yaml") {
		t.Errorf("a good file is refused:\n%v", err)
	}
}
