// Command bench measures discoursegen as its users run it: whole processes,
// timed from the outside, next to a peer doing the same job. `make bench`
// runs it after the Go benchmarks; docs/bench.md describes every row.
//
// Each row runs our command and a peer interleaved (A B A B …) after one
// untimed warm-up run of each, and reports the median wall time and the
// peak resident set size (the largest process of the tree, from
// wait4's rusage). The peers are:
//
//   - the baseline: discoursegen built from an earlier commit (-baseline,
//     9da6271 by default), extracted with git archive into
//     .cache/bench/baseline-<commit>/ and built there once;
//   - kubeconform (bin/kubeconform, installed by make bench), with the
//     same schemas/ and the same object files;
//   - hack/noopfn, a KRM function that does no work but return a fixed
//     list of items, for the function's floor.
//
// Every run is checked before it is counted (exit status, files written,
// objects validated, items returned), so a broken row cannot look fast.
// The table goes to stdout and to .cache/bench/table.md. A missed goal
// prints FAIL, but the exit status stays 0: this is a measurement, and
// speed is never asserted in a test. The exit status is 1 only when the
// harness itself cannot run (ours does not build, a flag is wrong).
//
// Run from the repository root:
//
//	go run ./hack/bench [-runs 11] [-fleet-runs 3] [-fleets 10,100,1000]
//	    [-rows generate,validate,policy,fn,fleet,validate-fleet]
//	    [-baseline 9da6271] [-timeout 10m] [-kubeconform bin/kubeconform]
package main
