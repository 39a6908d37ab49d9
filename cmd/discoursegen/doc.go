// Command discoursegen renders and checks the manifests of Discourse sites.
//
//	discoursegen generate [--check]   render clusters/<env> into golden/<env>
//	discoursegen render FILE          render one config to stdout
//	discoursegen validate [PATH...]   validate manifests against the schemas
//	discoursegen schema               print the config's JSON schema
//	discoursegen fn [CONFIG]          the exec KRM function kustomize runs
//
// generate is what `make generate` and the pre-commit hook run. It drives
// kustomize's Go API with the same exec KRM function as the kustomize CLI
// (this binary's fn command, which it checks is the running build),
// validates every object against the strict schemas, checks that each Flux
// Kustomization points at the directory its stage is written to, and
// writes golden/ only when every environment succeeded.
package main
