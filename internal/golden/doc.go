// Package golden lays rendered objects out as the committed output that
// Flux applies, and plans writing it.
//
// Layout, per environment: golden/<env>/<site>/<stage>/<kind>-<name>.yaml,
// one object per file so a pull request shows each change in its own file,
// a kustomization.yaml in every stage directory (what one Flux
// Kustomization applies), one per site listing its stages in apply order,
// one per environment listing the sites, and golden/<env>/flux/ with every
// site's Flux Kustomizations, whose spec.path Layout sets to the stage
// directory each applies. Readme is the README.md beside them.
//
// Every file Layout and Readme produce starts with a "Code generated ...
// DO NOT EDIT" line; that line is what MakePlan recognises as generate's.
// The rest of the writing rules are internal/genfiles': a file without the
// line is the user's and is never changed or removed, only reported in
// Plan.Foreign (generate refuses to write while there is one, unless
// forced); a generated file the new render no longer has is left out, so
// Flux prunes the object. Swap replaces the whole output directory in one
// rename (genfiles' Owner.Swap), so a killed generate leaves the old tree
// or the new one, never a mix; the foreign files are carried over.
//
// Rendering and validating every environment before anything is written is
// the caller's job (cmd/discoursegen's generate); this package never runs
// kustomize.
package golden
