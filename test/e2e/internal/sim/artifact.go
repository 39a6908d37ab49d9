package sim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"
)

var externalArtifactResource = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "externalartifacts"}

// Publish packs dir (the tree a Kustomization's spec.path is relative to)
// into a gzipped tarball, serves it, and points the ExternalArtifact
// FluxNamespace/ArtifactName at it. Every call is a new revision, even for
// unchanged content, so kustomize-controller reconciles again.
//
// What kustomize-controller v1.9.5 needs of the artifact (read in its
// internal/controller/kustomization_controller.go and in
// github.com/fluxcd/pkg/http/fetch v0.25.0 archive_fetcher.go): a URL that
// answers 200 with a tar.gz, a digest "<algorithm>:<hex>" of those bytes
// (verified before untarring), and a revision that changes when the content
// does. The ExternalArtifact CRD also requires path and lastUpdateTime.
func (s *Sim) Publish(ctx context.Context, dir string) (revision string, err error) {
	blob, err := tarball(dir)
	if err != nil {
		return "", fmt.Errorf("publish %s: %w", dir, err)
	}
	sum := sha256.Sum256(blob)
	digest := hex.EncodeToString(sum[:])

	s.mu.Lock()
	s.releases++
	n := s.releases
	path := fmt.Sprintf("externalartifact/%s/%s/%d-%s.tar.gz", FluxNamespace, ArtifactName, n, digest[:12])
	s.blobs["/"+path] = blob
	s.mu.Unlock()

	revision = fmt.Sprintf("sim-%d@sha256:%s", n, digest)
	artifact := map[string]any{
		"url":            s.baseURL + "/" + path,
		"path":           path,
		"revision":       revision,
		"digest":         "sha256:" + digest,
		"size":           int64(len(blob)),
		"lastUpdateTime": time.Now().UTC().Format(time.RFC3339),
	}
	if err := s.writeExternalArtifact(ctx, artifact); err != nil {
		return "", fmt.Errorf("publish %s: %w", dir, err)
	}
	s.logf("published %s (%d bytes) as %s", dir, len(blob), revision)
	return revision, nil
}

// writeExternalArtifact creates the ExternalArtifact if needed and sets its
// status.artifact and a Ready condition (what source-controller would
// report for an artifact it produced).
func (s *Sim) writeExternalArtifact(ctx context.Context, artifact map[string]any) error {
	res := s.dyn.Resource(externalArtifactResource).Namespace(FluxNamespace)
	_, err := res.Get(ctx, ArtifactName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1",
			"kind":       "ExternalArtifact",
			"metadata":   map[string]any{"name": ArtifactName, "namespace": FluxNamespace},
			"spec":       map[string]any{},
		}}
		_, err = res.Create(ctx, obj, metav1.CreateOptions{})
	}
	if err != nil {
		return err
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := res.Get(ctx, ArtifactName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		status := map[string]any{
			"artifact": artifact,
			"conditions": []any{map[string]any{
				"type":               "Ready",
				"status":             "True",
				"reason":             "Succeeded",
				"message":            "stored artifact for revision '" + artifact["revision"].(string) + "'",
				"observedGeneration": obj.GetGeneration(),
				"lastTransitionTime": artifact["lastUpdateTime"],
			}},
		}
		obj.Object["status"] = status
		_, err = res.UpdateStatus(ctx, obj, metav1.UpdateOptions{})
		return err
	})
}

func (s *Sim) serveArtifact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	blob, ok := s.blobs[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Write(blob) //nolint:errcheck // the client retries
}

// tarball packs the regular files and directories under dir, with paths
// relative to dir, in lexical order and with zeroed times and owners, so
// the same tree always gives the same bytes (and digest).
func tarball(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Format: tar.FormatPAX}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
			return tw.WriteHeader(hdr)
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(data))
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		default:
			return fmt.Errorf("%s: only regular files and directories can be published", rel)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
