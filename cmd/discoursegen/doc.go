// Command discoursegen renders, checks and releases the manifests of
// Discourse sites.
//
//	discoursegen generate [--check] [--force]  render clusters/<env> into golden/<env>/<site>/<stage>
//	discoursegen diff [--base REF]       what the working tree changes in golden/ at REF, risks flagged
//	discoursegen pin ENV IMAGE           set the release ENV runs (clusters/ENV/site/release.yaml)
//	discoursegen promote FROM TO         copy FROM's release to TO
//	discoursegen render FILE             render one config to stdout
//	discoursegen validate [PATH...]      validate manifests against the schemas and the policy
//	discoursegen schema                  print the config's JSON schema
//	discoursegen fn [CONFIG]             the exec KRM function kustomize runs: the generator for a
//	                                     Discourse config, the validator for a DiscoursePolicy (fnkinds.go)
//
// generate is what `make generate` and the pre-commit hooks run. It drives
// kustomize's Go API with the same exec KRM function as the kustomize CLI
// (this binary's fn command, which it checks is the running build),
// validates every object against the strict schemas and the DiscoursePolicy
// rules (policy.go; every overlay must also run them last, so that
// kustomize build fails the same way), refuses oversized inputs before
// kustomize reads them (limits.go), lays the objects out
// with internal/golden (which sets each Flux Kustomization's path to the
// directory its stage is written to), and writes golden/ only when every
// environment succeeded and golden/ holds no file generate did not write
// (--force keeps them). It writes by replacing golden/ as a whole
// (golden.Swap), so a killed run leaves the old tree or the new one, and
// holds a lock on golden/'s parent meanwhile (lock.go), so a second run
// says that it waits, and waits. diff reads REF's golden/ from git's object
// database and renders the working tree the same way; pin and promote are
// internal/release.
package main
