package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: discourse-web
  namespace: discourse
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: discourse/discourse:3.4.0
`

const validKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment-web.yaml
`

// writeFiles creates files (slash paths) below a temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunValidate(t *testing.T) {
	valid := writeFiles(t, map[string]string{
		"app/deployment-web.yaml": validDeployment,
		"app/kustomization.yaml":  validKustomization,
	})
	invalid := writeFiles(t, map[string]string{
		"app/deployment-web.yaml": strings.Replace(validDeployment, "replicas: 3", "replicas: three", 1),
	})
	empty := t.TempDir()
	unknown := writeFiles(t, map[string]string{
		"hpa.yaml": "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n",
	})

	tests := []struct {
		name     string
		args     []string
		wantCode int
		// wantStderr must all appear in stderr.
		wantStderr []string
	}{
		{
			name:       "valid directory, schemas alone",
			args:       []string{"-policy=false", valid},
			wantCode:   0,
			wantStderr: []string{"2 objects in 2 files: 0 invalid, 0 policy errors"},
		},
		{
			// The same Deployment passes its schema and breaks the
			// policy: no resources, no NetworkPolicy, no digest.
			name:     "valid schemas, broken policy",
			args:     []string{valid},
			wantCode: 1,
			wantStderr: []string{
				filepath.Join(valid, "app") + ": error[resources] Deployment discourse/discourse-web",
				"error[network-policy] Deployment discourse/discourse-web: no NetworkPolicy selects its pods",
				"0 invalid, 4 policy errors",
			},
		},
		{
			name:       "no objects",
			args:       []string{empty},
			wantCode:   1,
			wantStderr: []string{"0 objects in 0 files", "no objects in " + empty + "; an empty render is never valid"},
		},
		{
			name:       "the committed golden output",
			args:       []string{"../../golden"},
			wantCode:   0,
			wantStderr: []string{"0 invalid, 0 policy errors, 0 policy warnings", "waived[restricted] Deployment forum/forum-web: init container own-uploads"},
		},
		{
			name:     "replicas is a string",
			args:     []string{invalid},
			wantCode: 1,
			wantStderr: []string{
				filepath.Join(invalid, "app", "deployment-web.yaml") + ": Deployment discourse/discourse-web: /spec/replicas: expected integer, but got string",
				"1 objects in 1 files: 1 invalid",
			},
		},
		{
			name:       "unknown kind",
			args:       []string{unknown},
			wantCode:   1,
			wantStderr: []string{"HorizontalPodAutoscaler web: no schema for apiVersion autoscaling/v1 kind HorizontalPodAutoscaler"},
		},
		{
			name:       "missing path",
			args:       []string{filepath.Join(valid, "does-not-exist")},
			wantCode:   2,
			wantStderr: []string{"does-not-exist", "no such file or directory"},
		},
		{
			name:       "missing path next to a valid one",
			args:       []string{"-policy=false", valid, filepath.Join(valid, "does-not-exist")},
			wantCode:   2,
			wantStderr: []string{"2 objects in 2 files: 0 invalid", "does-not-exist"},
		},
		{
			name:       "bad flag",
			args:       []string{"-nope"},
			wantCode:   2,
			wantStderr: []string{"flag provided but not defined", "usage: discoursegen validate"},
		},
		{
			name:       "help",
			args:       []string{"-h"},
			wantCode:   0,
			wantStderr: []string{"usage: discoursegen validate [-policy=false] [PATH...]", "Exit status"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runValidate(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr.String())
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr does not contain %q:\n%s", want, stderr.String())
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout is not empty: %q", stdout.String())
			}
		})
	}
}

// TestRunValidateDefaultPath checks that without arguments the golden
// directory of the working directory is validated.
func TestRunValidateDefaultPath(t *testing.T) {
	dir := writeFiles(t, map[string]string{"golden/local/deployment-web.yaml": validDeployment})
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := runValidate([]string{"-policy=false"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 objects in 1 files: 0 invalid") {
		t.Errorf("unexpected summary:\n%s", stderr.String())
	}
}
