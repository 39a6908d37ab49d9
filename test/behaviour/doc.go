// Package behaviour proves that what discoursegen renders into
// golden/<env>/ does what it is for when it runs, against a real PostgreSQL
// and a real Redis (standing in for Valkey) on loopback:
//
//   - initcontainers_test.go: every init container of every Deployment,
//     StatefulSet and Job that waits for a server (its env names a Service of
//     the site's PostgreSQL or Valkey) runs exactly as rendered (command,
//     args, env), as its uid and gid with no passwd entry for them, as in its
//     image; it must keep waiting while its server is down and exit 0 soon
//     after the server accepts connections. The others (native sidecars, a
//     chown step) are listed as skipped subtests with the reason.
//   - bootstrap_test.go: the CloudNativePG Cluster's initdb bootstrap and the
//     Database object are replayed in CloudNativePG's order, and the database
//     owner (not a superuser, as Discourse runs) must find every extension
//     Discourse's migrations enable, in the app database and in template1.
//
// test/e2e proves the apiserver accepts the objects; it cannot run a
// script. Here nothing is mocked that decides the outcome: the scripts run in
// sh, the SQL runs in PostgreSQL, and privileges are PostgreSQL's own.
//
// The servers and the runner are in internal/harness, the reading of the
// manifests in internal/manifests. The tests need root (PostgreSQL runs as an
// unprivileged uid, scripts run in a private mount namespace) and Debian's
// postgresql and redis-server packages: run test/behaviour/run.sh, which
// installs them when missing. DISCOURSEGEN_GOLDEN points the tests at
// another directory holding local/, staging/ and production/.
package behaviour
