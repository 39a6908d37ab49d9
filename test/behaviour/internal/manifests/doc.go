// Package manifests reads what discoursegen rendered into golden/<env>/ and
// turns it into what the behaviour tests run: the workloads' pod specs, the
// CloudNativePG Cluster and Database objects, and the environment a
// container would see once the kubelet has resolved it.
//
// The resolution is where the tests must stay honest, so it refuses instead
// of guessing: a Service DNS name of the site is mapped to the loopback test
// server that plays that Service's backend (and its port to that server's
// port), and any env value that looks like a host it cannot map, any env
// source it does not model (fieldRef, envFrom secretRef, ...) and any
// CloudNativePG field the tests do not reproduce is an error. A test that
// silently ran a script against a different host than the manifest names
// would prove nothing.
package manifests
