// Package lock serializes processes that write the same directory, with
// an advisory lock (flock(2)) on a directory that stays put while they
// work: cmd/discoursegen's generate locks the parent of golden/, since
// golden/ itself is a new directory after every write (genfiles'
// Owner.Swap).
//
// The lock is the kernel's, on an open file description: it is released
// when the holder releases it or exits, however it exits, so a killed run
// never leaves a stale lock behind, and there is no lock file to create,
// commit or clean up. Being advisory, it keeps out only processes that
// take it too, other runs of generate; an editor or git is not stopped.
// Two opens of the same directory conflict even within one process, which
// is how the tests hold the lock against the code under test.
//
// Shared holders (generate --check, which only reads) run together;
// an Exclusive holder (generate, which writes) runs alone. Dir tells its
// caller when it has to wait, so a run that seems to hang says why.
//
// Locking is implemented on linux, darwin and the BSDs (Supported). On
// other systems Dir takes no lock and returns at once: runs there are not
// serialized, which the Supported constant lets callers and tests see.
package lock
