package manifests

import (
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// podTemplatePaths says where each workload kind keeps its pod template.
var podTemplatePaths = map[schema.GroupKind][]string{
	{Group: "apps", Kind: "Deployment"}:  {"spec", "template"},
	{Group: "apps", Kind: "StatefulSet"}: {"spec", "template"},
	{Group: "apps", Kind: "DaemonSet"}:   {"spec", "template"},
	{Group: "apps", Kind: "ReplicaSet"}:  {"spec", "template"},
	{Group: "batch", Kind: "Job"}:        {"spec", "template"},
	{Group: "batch", Kind: "CronJob"}:    {"spec", "jobTemplate", "spec", "template"},
}

// PodsFromTemplates returns, for each workload in objs, the Pod its
// controller would create from its pod template.
//
// Why: some checks apply to Pods only. PodSecurity admission *enforces* its
// level on Pods; on a Deployment or Job it only warns, so a workload the
// apiserver accepts can still have every one of its pods refused at runtime.
// Sending the would-be Pods (dry-run) asks the apiserver that question now.
func PodsFromTemplates(objs []Object) ([]Object, error) {
	var pods []Object
	for _, o := range objs {
		path, ok := podTemplatePaths[o.GVK.GroupKind()]
		if !ok {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(o.JSON, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		tmpl, ok := nested(m, path...).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: no pod template at %s", o, strings.Join(path, "."))
		}
		meta, _ := tmpl["metadata"].(map[string]any)
		podMeta := map[string]any{}
		for _, k := range []string{"labels", "annotations"} {
			if v, ok := meta[k]; ok {
				podMeta[k] = v
			}
		}
		// The name only has to be unique and valid; controllers would use
		// generateName, which server-side apply cannot.
		name := strings.ToLower(o.GVK.Kind) + "-" + o.Name
		if len(name) > 63 {
			name = name[:63]
		}
		name = strings.TrimRight(name, "-.")
		podMeta["name"] = name
		if o.Namespace != "" {
			podMeta["namespace"] = o.Namespace
		}
		spec, _ := tmpl["spec"].(map[string]any)
		if o.GVK.GroupKind() == (schema.GroupKind{Group: "apps", Kind: "StatefulSet"}) {
			addClaimVolumes(spec, m, o.Name)
		}
		pod := map[string]any{
			"apiVersion": "v1",
			"kind":       "Pod",
			"metadata":   podMeta,
			"spec":       spec,
		}
		js, err := json.Marshal(pod)
		if err != nil {
			return nil, err
		}
		pods = append(pods, Object{
			Source:    o.Source + " pod template of " + o.GVK.Kind + " " + o.Name,
			GVK:       schema.GroupVersionKind{Version: "v1", Kind: "Pod"},
			Namespace: o.Namespace,
			Name:      name,
			JSON:      js,
		})
	}
	return pods, nil
}

// addClaimVolumes does what the StatefulSet controller does to each pod: one
// volume per spec.volumeClaimTemplates entry, named like the template and
// bound to the claim <template>-<statefulset>-<ordinal>, replacing a volume of
// the same name. Without it every mount of a claim template would look like
// a mount of a volume that does not exist.
func addClaimVolumes(podSpec, sts map[string]any, stsName string) {
	claims, _ := nested(sts, "spec", "volumeClaimTemplates").([]any)
	if podSpec == nil || len(claims) == 0 {
		return
	}
	byName := map[string]bool{}
	var volumes []any
	for _, c := range claims {
		name, _ := nested(c.(map[string]any), "metadata", "name").(string)
		if name == "" {
			continue
		}
		byName[name] = true
		volumes = append(volumes, map[string]any{
			"name":                  name,
			"persistentVolumeClaim": map[string]any{"claimName": name + "-" + stsName + "-0"},
		})
	}
	existing, _ := podSpec["volumes"].([]any)
	for _, v := range existing {
		if vm, ok := v.(map[string]any); ok && byName[fmt.Sprint(vm["name"])] {
			continue
		}
		volumes = append(volumes, v)
	}
	podSpec["volumes"] = volumes
}

func nested(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}
