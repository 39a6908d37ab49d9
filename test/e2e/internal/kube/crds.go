package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"discoursegen.dev/discoursegen/test/e2e/internal/manifests"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRDs applies every CustomResourceDefinition in files and waits until
// each reports Established (its API is served). It returns the CRD names.
func (c *Client) InstallCRDs(ctx context.Context, files []string, timeout time.Duration) ([]string, error) {
	var crds []manifests.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := manifests.Parse(f, data)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if o.GVK.Group != "apiextensions.k8s.io" || o.GVK.Kind != "CustomResourceDefinition" {
				return nil, fmt.Errorf("%s: expected only CustomResourceDefinitions, found %s", f, o)
			}
			crds = append(crds, o)
		}
	}
	var names []string
	for _, o := range crds {
		if _, err := c.Apply(ctx, o, Persist); err != nil {
			return nil, fmt.Errorf("install %s: %s", o, Describe(err))
		}
		names = append(names, o.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for _, name := range names {
		if err := c.waitEstablished(ctx, name); err != nil {
			return nil, err
		}
	}
	c.ResetMapper()
	return names, nil
}

func (c *Client) waitEstablished(ctx context.Context, name string) error {
	for {
		u, err := c.dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			ok, msg := conditionTrue(u, "Established")
			if ok {
				return nil
			}
			// NamesAccepted=False (a name clash) never resolves by waiting.
			if accepted, amsg := conditionTrue(u, "NamesAccepted"); !accepted && amsg != "" {
				return fmt.Errorf("CRD %s: names not accepted: %s", name, amsg)
			}
			err = errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s not Established: %v (%w)", name, err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// conditionTrue reports whether status.conditions has typ=True; otherwise it
// returns that condition's message, if the condition is present.
func conditionTrue(u *unstructured.Unstructured, typ string) (bool, string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		if m["status"] == "True" {
			return true, ""
		}
		msg, _ := m["message"].(string)
		return false, fmt.Sprintf("%s=%v: %s", typ, m["status"], msg)
	}
	return false, ""
}
