// Package genfiles writes the files of one generator into a directory it
// shares with others (people, other generators), without ever touching a
// file that is not its own.
//
// Both generators of this repository use it: internal/golden (the
// manifests under golden/, marked by a "Code generated ... DO NOT EDIT"
// first line) and hack/schemagen (the schemas under schemas/, marked by a
// JSON key at their root). The two mark their files differently, so the
// ownership test is a parameter, Owner.Owns; the rules around it are the
// same for both and live here once:
//
//   - Owner.Plan compares the desired files with the tree on disk and
//     changes nothing, so a caller can print the plan (a --check mode)
//     or give up before anything is written.
//   - Only an owned file is overwritten or removed. Planning to overwrite a
//     file the generator does not own is an error (*NotOwnedError); a file
//     it does not own and no longer produces is kept and listed in
//     Plan.Foreign.
//   - Plan.Apply writes each changed file to a temporary file in the same
//     directory and renames it into place, so a reader or a crash never
//     sees half a file. Then it removes the owned files the generator no
//     longer produces, so their consumers (Flux, a validator) stop seeing
//     them, and the directories those removals emptied.
package genfiles
