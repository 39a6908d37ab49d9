// Package golden lays rendered objects out as the committed output that
// Flux applies, and plans writing it.
//
// Layout, per environment: golden/<env>/<stage>/<kind>-<name>.yaml, one
// object per file so a pull request shows each change in its own file, a
// kustomization.yaml in every stage directory (Flux's path for that stage)
// and one at the top listing the stages that are applied in order. Readme
// is the README.md beside them.
//
// Every file Layout and Readme produce starts with a "Code generated ...
// DO NOT EDIT" line; that line is what MakePlan recognises as generate's.
// The rest of the writing rules are internal/genfiles': a file without the
// line is the user's and is never changed or removed, only reported; a
// generated file the new render no longer has is removed, so Flux prunes
// the object; files are replaced by an atomic rename.
//
// Rendering and validating every environment before anything is written is
// the caller's job (cmd/discoursegen's generate); this package never runs
// kustomize.
package golden
