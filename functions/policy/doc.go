// Package policy is the DiscoursePolicy validator KRM function: kustomize
// runs it as a validators: entry of every overlay, on the final output,
// after the user's own patches, and it fails the build on any rule of
// package policy (the rules themselves) that the output breaks. It returns
// the items unchanged, prints the whole report (errors, warnings, waived
// findings) on stderr and records each finding as a KRM result.
package policy
