package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/fn/framework/command"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: noopfn ITEMS.yaml < resource-list.yaml")
		os.Exit(2)
	}
	items := os.Args[1]
	// The items are read inside the function, as a generator reads its
	// own inputs: a whole process of noopfn parses and writes them once.
	p := framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error {
		f, err := os.Open(items)
		if err != nil {
			return fmt.Errorf("noopfn: %w", err)
		}
		defer f.Close()
		nodes, err := (&kio.ByteReader{Reader: f, OmitReaderAnnotations: true}).Read()
		if err != nil {
			return fmt.Errorf("noopfn: %s: %w", items, err)
		}
		rl.Items = nodes
		return nil
	})
	// StandaloneDisabled: the argument is ours, not a functionConfig file.
	cmd := command.Build(p, command.StandaloneDisabled, true)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
