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
//
// A plan is carried out in one of two ways:
//
//   - Plan.Apply, for a generator that shares its directory (schemagen,
//     whose Owner.Dirs name its part of schemas/), changes the tree file by
//     file: each changed file goes to a temporary file in the same
//     directory and is renamed into place, so a reader or a crash never
//     sees half a file; then the owned files the generator no longer
//     produces are removed, so their consumers (Flux, a validator) stop
//     seeing them, with the directories those removals emptied. A run
//     killed midway leaves some files new and some old.
//   - Owner.Swap, for a generator that owns its whole directory (golden/),
//     builds the new tree in a staging directory beside the root
//     (".<root>.discoursegen-<number>"), files synced, unchanged and
//     foreign files hard-linked (copied where links fail), and exchanges
//     it with the root in one rename: renameat2(RENAME_EXCHANGE) on
//     Linux, renamex_np(RENAME_SWAP) on darwin. A run killed at any moment
//     leaves the old tree or the new one. Elsewhere, or on a filesystem
//     without the exchange, it falls back to two renames, which leave a
//     moment without a root (not atomic). The staging directory, which
//     then holds the old tree, is removed, and so are those a killed run
//     left, by the next Swap; but a file in one is deleted only if it
//     carries the generator's mark or is the same file (os.SameFile) as
//     the one at its path in the root, or this run's identical copy of
//     it. Anything else is kept and reported: nothing a generator cannot
//     prove its own is deleted.
//
// Serializing runs (no second Swap while one runs) is the caller's job:
// cmd/discoursegen holds internal/lock around planning and writing.
package genfiles
