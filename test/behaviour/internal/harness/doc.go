// Package harness runs what the behaviour tests need on loopback: real
// PostgreSQL and Redis servers, each on a free 127.0.0.1 port in a scratch
// directory, and rendered shell scripts run as a container would run them.
//
// A container's process has a numeric uid that, in the images discoursegen
// uses, usually has no /etc/passwd entry; tools behave differently then (libpq
// cannot default its user name, for one). RunAs reproduces that on a host
// whose /etc/passwd does have the uid: it bind-mounts a passwd and group file
// holding only the image's accounts over /etc/passwd and /etc/group inside a
// private mount namespace (util-linux unshare), then drops to the uid and gid
// with setpriv. This needs root, as CI has.
//
// PostgreSQL refuses to run as root, so it runs through RunAs as uid 26
// ("postgres" in the CloudNativePG image) from a private copy of the
// installation (see postgres.go for why a copy).
//
// Every server and process is stopped by a t.Cleanup registered when it is
// created, and every wait is bounded.
package harness
