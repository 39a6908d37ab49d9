package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"discoursegen.dev/discoursegen/test/e2e/internal/manifests"
)

// FieldManager is the server-side apply field manager of every write the
// harness makes.
const FieldManager = "discoursegen-e2e"

// Client applies and reads rendered objects.
type Client struct {
	dyn       dynamic.Interface
	discovery discovery.DiscoveryInterface
	mapper    *restmapper.DeferredDiscoveryRESTMapper
	warnings  *warningCollector
	// unserved remembers kinds that stayed unknown after the retry window,
	// so fifty objects of a kind whose CRD is missing from
	// hack/sources.yaml cost one wait, not fifty.
	unserved map[schema.GroupVersionKind]error
}

// New builds a client from cfg. The apiserver's warnings (deprecated APIs,
// PodSecurity notes on workload templates, ...) are collected per request
// and returned by Apply rather than printed to stderr.
func New(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	w := &warningCollector{}
	cfg.WarningHandler = w
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{
		dyn:       dyn,
		discovery: dc,
		mapper:    restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
		warnings:  w,
		unserved:  map[schema.GroupVersionKind]error{},
	}, nil
}

// ServerVersion is the apiserver's gitVersion, e.g. "v1.34.4".
func (c *Client) ServerVersion() (string, error) {
	v, err := c.discovery.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

// Mode says whether an apply is persisted.
type Mode int

const (
	// DryRun runs validation, defaulting and admission (dryRun=All) and
	// stores nothing.
	DryRun Mode = iota
	// Persist stores the object.
	Persist
)

// Apply server-side applies o with fieldValidation=Strict and forced
// conflicts. It returns the warnings the apiserver sent with the response.
func (c *Client) Apply(ctx context.Context, o manifests.Object, mode Mode) (warnings []string, err error) {
	res, err := c.resourceFor(ctx, o)
	if err != nil {
		return nil, err
	}
	opts := metav1.PatchOptions{
		FieldManager: FieldManager,
		Force:        ptr(true),
		// Strict: unknown and duplicate fields are errors. The default for
		// apply would only warn about them, and a field the apiserver
		// silently drops is exactly the kind of generator bug to catch.
		FieldValidation: "Strict",
	}
	if mode == DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	c.warnings.take() // drop anything left over from earlier requests
	_, err = res.Patch(ctx, o.Name, types.ApplyPatchType, o.JSON, opts)
	return c.warnings.take(), err
}

// Get reads o back from the apiserver.
func (c *Client) Get(ctx context.Context, o manifests.Object) (*unstructured.Unstructured, error) {
	res, err := c.resourceFor(ctx, o)
	if err != nil {
		return nil, err
	}
	return res.Get(ctx, o.Name, metav1.GetOptions{})
}

// EnsureNamespace creates an empty namespace unless it already exists.
func (c *Client) EnsureNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": name},
	}}
	_, err := c.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).
		Create(ctx, ns, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// resourceFor maps o to its REST resource, scoped to o's namespace (or
// "default", as kubectl does, for a namespaced object without one).
func (c *Client) resourceFor(ctx context.Context, o manifests.Object) (dynamic.ResourceInterface, error) {
	m, err := c.mapping(ctx, o.GVK)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		return c.dyn.Resource(m.Resource), nil
	}
	ns := o.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	return c.dyn.Resource(m.Resource).Namespace(ns), nil
}

// mapping resolves a kind through discovery. A kind that is not (yet)
// served is retried for a while with a fresh discovery cache, because a CRD
// can be Established a moment before discovery lists it.
func (c *Client) mapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	if err, ok := c.unserved[gvk]; ok {
		return nil, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err == nil {
			return m, nil
		}
		if !meta.IsNoMatchError(err) {
			return nil, err
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("the apiserver does not serve %s (is its CRD listed in hack/sources.yaml?): %w", gvk, err)
			c.unserved[gvk] = err
			return nil, err
		}
		c.mapper.Reset()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ResetMapper forgets cached discovery, e.g. after installing CRDs.
func (c *Client) ResetMapper() {
	c.mapper.Reset()
	clear(c.unserved)
}

// Describe turns an apiserver error into one readable line: the status
// message plus any field causes that the message does not already contain.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	status, ok := err.(apierrors.APIStatus)
	if !ok {
		return err.Error()
	}
	s := status.Status()
	msg := s.Message
	if msg == "" {
		msg = err.Error()
	}
	var extra []string
	if s.Details != nil {
		for _, cause := range s.Details.Causes {
			line := cause.Message
			if cause.Field != "" {
				line = cause.Field + ": " + cause.Message
			}
			if !strings.Contains(msg, cause.Message) {
				extra = append(extra, line)
			}
		}
	}
	// The HTTP code says which stage refused: 422 validation, 403 admission
	// or RBAC, 404 a missing namespace or kind. (kube-apiserver 1.34 answers
	// an unknown field rejected by fieldValidation=Strict on a custom
	// resource with a bare 500 and no reason, so the message is what counts.)
	out := fmt.Sprintf("%s (HTTP %d", msg, s.Code)
	if s.Reason != "" {
		out += " " + string(s.Reason)
	}
	out += ")"
	if len(extra) > 0 {
		out += "; " + strings.Join(extra, "; ")
	}
	return out
}

// warningCollector implements rest.WarningHandler. Requests are made one at
// a time by the harness, so "the warnings since the last take" are the
// warnings of the last request.
type warningCollector struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningCollector) HandleWarningHeader(code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningCollector) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }
