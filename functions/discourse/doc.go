// Package discourse is the KRM function that turns a Discourse site config
// into the site's manifests. It is thin on purpose: it reads the function
// config, checks it against the config's JSON schema (the same validator
// that checks the output), decodes it strictly and hands it to
// generator.Render. Everything about Discourse lives in generator/.
//
// It runs three ways, all through Load and Generate here:
//   - as an exec function under `kustomize build --enable-alpha-plugins
//     --enable-exec` (cmd/discoursegen-fn, a generators: entry);
//   - in-process from `discoursegen generate`, which drives kustomize's Go
//     API with the same exec function;
//   - standalone from `discoursegen render FILE`.
//
// The function dispatches on apiVersion and kind, so a v1beta1 config can
// be added later without breaking v1alpha1 users.
package discourse
