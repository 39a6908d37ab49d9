// Package discourse is the KRM function that turns a Discourse site config
// into the site's manifests, following kyaml's fn framework conventions:
//
//   - one dispatch on apiVersion and kind, a map from group/version/kind to
//     the config type (apis in load.go), so a v1beta1 is one more entry;
//   - decode once, then Default and Validate on the config type;
//   - problems as a field.ErrorList: schema violations (each JSON pointer
//     turned into a field path) and semantic problems together, sorted by
//     path, converted once (toResults) into kyaml's framework.Results, which
//     the processor also returns as its error.
//
// The loader is discoursegen's own, not kyaml's LoadFunctionConfig, which
// decodes leniently: duplicate keys are refused, the JSON schema in
// schemas/config runs first, then a strict decode.
//
// Before any of that, the limits of limits.go bound the work hostile input
// can cause, each checked before the step it bounds: MaxConfigBytes before
// parsing, MaxConfigValues (aliases expanded, never by expanding them)
// before decoding, and each list's maxItems before the schema judges its
// entries. CheckSize, CheckYAML and CheckDocument apply the same limits
// for the commands, which refuse a file before reading it whole and
// before kustomize parses it.
//
// It runs three ways, all through Render here:
//   - as `discoursegen fn`, the exec function under `kustomize build
//     --enable-alpha-plugins --enable-exec`;
//   - in-process from `discoursegen generate`, which drives kustomize's Go
//     API with the same exec function;
//   - standalone from `discoursegen render FILE`.
package discourse
