// Package golden lays rendered objects out as the committed output that
// Flux applies, and writes it safely.
//
// Layout, per environment: golden/<env>/<stage>/<kind>-<name>.yaml, one
// object per file so a pull request shows each change in its own file, a
// kustomization.yaml in every stage directory (Flux's path for that stage)
// and one at the top listing the stages that are applied in order.
//
// Safety rules:
//   - Every file it writes starts with a "Code generated ... DO NOT EDIT"
//     line. A file without it is the user's: it is never changed or
//     removed, only reported.
//   - A generated file that the new render no longer has is removed, so
//     Flux prunes the object; everything else is left alone.
//   - Nothing is written until every environment rendered and validated;
//     each file is written to a temporary file and renamed into place.
package golden
