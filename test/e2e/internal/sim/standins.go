package sim

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// standInInterval is how often the stand-ins look for work. Polling a list
// is simpler than informers and, at this size, as cheap.
const standInInterval = 250 * time.Millisecond

var cnpgClusterResource = schema.GroupVersionResource{Group: "postgresql.cnpg.io", Version: "v1", Resource: "clusters"}

// startStandIns runs the CloudNativePG and storage stand-ins (see doc.go)
// until ctx ends.
func (s *Sim) startStandIns(ctx context.Context) {
	for _, loop := range []func(context.Context) error{s.markClustersReady, s.bindClaims} {
		s.loops.Add(1)
		go func() {
			defer s.loops.Done()
			tick := time.NewTicker(standInInterval)
			defer tick.Stop()
			for {
				if err := loop(ctx); err != nil && ctx.Err() == nil {
					s.logf("stand-in: %v", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

// markClustersReady is the CloudNativePG stand-in: every Cluster whose Ready
// condition is not True at its current generation gets the status the
// operator reports for a healthy cluster. Ready=True is what the Flux
// health check `status.conditions.exists(e, e.type == 'Ready' && e.status
// == 'True')` looks at; observedGeneration on the condition keeps kstatus
// from calling it stale.
func (s *Sim) markClustersReady(ctx context.Context) error {
	res := s.dyn.Resource(cnpgClusterResource)
	list, err := res.List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list CNPG clusters: %w", err)
	}
	for i := range list.Items {
		c := &list.Items[i]
		if c.GetDeletionTimestamp() != nil || readyAt(c, c.GetGeneration()) {
			continue
		}
		instances, _, _ := unstructured.NestedInt64(c.Object, "spec", "instances")
		now := time.Now().UTC().Format(time.RFC3339)
		c.Object["status"] = map[string]any{
			"phase":          "Cluster in healthy state",
			"instances":      instances,
			"readyInstances": instances,
			"conditions": []any{map[string]any{
				"type":               "Ready",
				"status":             "True",
				"reason":             "ClusterIsReady",
				"message":            "Cluster is Ready (sim stand-in: no CloudNativePG operator runs)",
				"observedGeneration": c.GetGeneration(),
				"lastTransitionTime": now,
			}},
		}
		if _, err := res.Namespace(c.GetNamespace()).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil {
			if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
				continue // changed meanwhile; the next round sees it again
			}
			return fmt.Errorf("mark CNPG cluster %s/%s ready: %w", c.GetNamespace(), c.GetName(), err)
		}
		s.logf("CNPG stand-in: Cluster %s/%s marked Ready (generation %d)", c.GetNamespace(), c.GetName(), c.GetGeneration())
	}
	return nil
}

// readyAt reports whether u has condition Ready=True observed at gen.
func readyAt(u *unstructured.Unstructured, gen int64) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		og, _ := m["observedGeneration"].(int64)
		return m["status"] == "True" && og == gen
	}
	return false
}

// bindClaims is the storage stand-in: each pending claim without a volume
// gets a hostPath PersistentVolume of its size, class and access modes,
// pre-bound to it through claimRef. Nothing is ever written to the path;
// kwok does not mount volumes.
func (s *Sim) bindClaims(ctx context.Context) error {
	claims, err := s.kube.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list claims: %w", err)
	}
	for _, pvc := range claims.Items {
		if pvc.Spec.VolumeName != "" || pvc.Status.Phase != corev1.ClaimPending || pvc.DeletionTimestamp != nil {
			continue
		}
		class := ""
		if pvc.Spec.StorageClassName != nil {
			class = *pvc.Spec.StorageClassName
		}
		size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
		if !ok {
			continue
		}
		pv := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{
				Name:   "sim-" + string(pvc.UID),
				Labels: map[string]string{"sim.discoursegen.dev/stand-in": "storage"},
			},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
				AccessModes:                   pvc.Spec.AccessModes,
				StorageClassName:              class,
				VolumeMode:                    pvc.Spec.VolumeMode,
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				ClaimRef: &corev1.ObjectReference{
					APIVersion: "v1",
					Kind:       "PersistentVolumeClaim",
					Namespace:  pvc.Namespace,
					Name:       pvc.Name,
					UID:        pvc.UID,
				},
				PersistentVolumeSource: corev1.PersistentVolumeSource{
					HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/sim/" + pvc.Namespace + "/" + pvc.Name},
				},
			},
		}
		_, err := s.kube.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("volume for claim %s/%s: %w", pvc.Namespace, pvc.Name, err)
		}
		s.logf("storage stand-in: PersistentVolume %s for claim %s/%s (%s, class %q)", pv.Name, pvc.Namespace, pvc.Name, size.String(), class)
	}
	return nil
}

// createNodes registers n fake Nodes for kwok and waits until each is Ready
// and free of the not-ready taint. The apiserver's TaintNodesByCondition
// admission puts that taint on every new Node and the node lifecycle
// controller, which does not run here (doc.go), would lift it; the harness
// lifts it instead.
func (s *Sim) createNodes(ctx context.Context, n int) error {
	nodes := s.kube.CoreV1().Nodes()
	for i := range n {
		name := fmt.Sprintf("sim-node-%d", i)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Labels: map[string]string{
					"kubernetes.io/hostname":        name,
					"kubernetes.io/os":              "linux",
					"kubernetes.io/arch":            "amd64",
					"topology.kubernetes.io/zone":   fmt.Sprintf("sim-zone-%c", 'a'+i%2),
					"topology.kubernetes.io/region": "sim",
					"type":                          "kwok",
				},
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			},
		}
		if _, err := nodes.Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create node %s: %w", name, err)
		}
	}
	return pollUntil(ctx, 100*time.Millisecond, func() (bool, error) {
		list, err := nodes.List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		done := 0
		for i := range list.Items {
			node := &list.Items[i]
			if !nodeReady(node) {
				continue
			}
			var keep []corev1.Taint
			for _, t := range node.Spec.Taints {
				if t.Key != corev1.TaintNodeNotReady && t.Key != corev1.TaintNodeUnreachable {
					keep = append(keep, t)
				}
			}
			if len(keep) != len(node.Spec.Taints) {
				node.Spec.Taints = keep
				if _, err := nodes.Update(ctx, node, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
					return false, err
				}
				continue
			}
			done++
		}
		return done == n, nil
	}, "nodes Ready and untainted")
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (s *Sim) ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	_, err := s.kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (s *Sim) waitServiceAccount(ctx context.Context, ns, name string) error {
	return pollUntil(ctx, 100*time.Millisecond, func() (bool, error) {
		_, err := s.kube.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}, "ServiceAccount "+ns+"/"+name)
}

// pollUntil calls check every interval until it reports done, returns an
// error, or ctx ends.
func pollUntil(ctx context.Context, interval time.Duration, check func() (bool, error), what string) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := check()
		if err != nil {
			return fmt.Errorf("wait for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}
