package manifests

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestExpandLikeTheKubelet(t *testing.T) {
	vars := map[string]string{"A": "x", "B": "y"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for in, want := range map[string]string{
		"$(A)-$(B)":        "x-y",
		"$(MISSING)":       "$(MISSING)",
		"$$(A)":            "$(A)",
		`"$A" ${B} $(A`:    `"$A" ${B} $(A`,
		"until $(A); do $": "until x; do $",
	} {
		if got := expand(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServiceName(t *testing.T) {
	for host, want := range map[string]string{
		"forum-valkey":                        "forum/forum-valkey",
		"forum-valkey.other":                  "other/forum-valkey",
		"forum-pg-rw.forum.svc":               "forum/forum-pg-rw",
		"forum-pg-rw.forum.svc.cluster.local": "forum/forum-pg-rw",
		"db.example.com":                      "",
	} {
		got, ok := ServiceName(host, "forum")
		if (want == "") == ok || got != want {
			t.Errorf("ServiceName(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}

// TestEnvMapsServicesAndRefusesUnknownHosts pins the rules the init
// container tests rely on: Service names (any DNS form, in URLs and
// host:port too) and the ports that go with them move to the test servers;
// an unexplained host is an error, not a silent pass-through.
func TestEnvMapsServicesAndRefusesUnknownHosts(t *testing.T) {
	r := Resolver{
		Namespace: "forum",
		Endpoints: map[string]Endpoint{
			"forum/forum-pg-rw":    {Backend: Postgres, Port: 5432},
			"forum/forum-valkey":   {Backend: Redis, Port: 6379},
			"forum/forum-web":      {Port: 80, What: "Service forum-web"},
			"forum/forum-pg-other": {Backend: Postgres, Port: 5432},
		},
		Servers: map[Backend]string{Postgres: "127.0.0.1:1111", Redis: "127.0.0.1:2222"},
		Secret:  func(name, key string) string { return name + "/" + key },
	}
	c := corev1.Container{Env: []corev1.EnvVar{
		{Name: "PGHOST", Value: "forum-pg-rw.forum.svc.cluster.local"},
		{Name: "PGPORT", Value: "5432"},
		{Name: "REDIS_URL", Value: "redis://forum-valkey:6379/0"},
		{Name: "ADDR", Value: "$(PGHOST):$(PGPORT)"},
		{Name: "PASS", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}},
		{Name: "PGDATABASE", Value: "discourse"},
	}}
	vars, backends, err := r.Env(c)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = v.Value
	}
	want := map[string]string{"PGHOST": "127.0.0.1", "PGPORT": "1111", "REDIS_URL": "redis://127.0.0.1:2222/0",
		"ADDR": "127.0.0.1:1111", "PASS": "s/k", "PGDATABASE": "discourse"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(backends) != 2 {
		t.Errorf("backends = %v, want postgres and redis", backends)
	}
	for _, bad := range []corev1.EnvVar{
		{Name: "REDIS_HOST", Value: "redis.example.com"},
		{Name: "X", Value: "forum-pg-rw.other.svc"},
		{Name: "WEB", Value: "forum-web"},
		{Name: "X", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	} {
		if _, _, err := r.Env(corev1.Container{Env: []corev1.EnvVar{bad}}); err == nil {
			t.Errorf("env %s=%q%v: want an error", bad.Name, bad.Value, bad.ValueFrom)
		}
	}
	if got := r.ServicesInCommand([]string{"sh", "-c", `pg_isready -h forum-pg-rw.forum.svc -p "$PGPORT"`}); strings.Join(got, ",") != "forum-pg-rw.forum.svc" {
		t.Errorf("ServicesInCommand = %v", got)
	}
}
