// Command noopfn is a KRM function that does no work: it reads a
// ResourceList on stdin and returns, as its items, the objects of a YAML
// file named by its only argument. hack/bench runs it beside `discoursegen
// fn` with the same input and the same ~34 items (saved from ours' own
// output), so the difference between the two is the cost of rendering,
// not of starting a process, parsing the ResourceList and writing it back.
//
// It is built on kyaml's framework and command.Build, like ours, so both
// pay the same reader and writer:
//
//	noopfn ITEMS.yaml < resource-list.yaml
//
// ITEMS.yaml is a ResourceList (its items are taken) or a stream of
// objects separated by ---.
package main
