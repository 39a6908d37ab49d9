package review

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Rule names a kind of risk.
type Rule string

// The rules, each a change that is hard or impossible to take back, or
// one that can take the site down while every check stays green.
const (
	// RuleDatabase: a CNPG Cluster or Database added, removed or changed.
	// A wrong field there can restart, resize or drop PostgreSQL.
	RuleDatabase Rule = "database"
	// RuleStorage: a PersistentVolumeClaim added, removed or changed, or
	// a StatefulSet whose volumeClaimTemplates are (they are immutable:
	// the apply fails, and the StatefulSet must be recreated).
	RuleStorage Rule = "storage"
	// RuleMigration: a migration Job that did not exist before, which
	// Flux will run against the production schema.
	RuleMigration Rule = "new migration Job"
	// RuleScaleDown: fewer replicas or instances, a lower autoscaler
	// bound, or a stricter PodDisruptionBudget (node drains block).
	RuleScaleDown Rule = "scale-down"
	// RuleNetworkPolicy: a NetworkPolicy added, removed or changed; a
	// mistake cuts traffic, and nothing but the site's users notices.
	RuleNetworkPolicy Rule = "network policy"
	// RuleProductionImage: a container image that changes in an
	// environment that runs production.
	RuleProductionImage Rule = "production image"
)

// Risk is one reason a change needs a careful look.
type Risk struct {
	Rule Rule
	// Reason is what a report prints after "risk: ": the rule, with
	// what tripped it when that helps (scale-down replicas 3 → 2).
	Reason string
}

// API groups and kinds the rules look at.
const (
	groupCNPG        = "postgresql.cnpg.io"
	groupKEDA        = "keda.sh"
	labelComponent   = "app.kubernetes.io/component"
	componentMigrate = "migrate"
)

// assess lists the risks of one change, in rule order.
func assess(c ObjectChange, production bool) []Risk {
	var risks []Risk
	id := c.ID
	touched := c.Change != Changed || beyondLabels(c.Fields)
	switch {
	case id.Group == groupCNPG && (id.Kind == "Cluster" || id.Kind == "Database") && touched:
		reason := string(RuleDatabase)
		if id.Kind == "Cluster" && c.Change == Changed && anyUnder(c.Fields, "spec.storage", "spec.walStorage", "spec.tablespaces") {
			reason += " (storage)"
		}
		risks = append(risks, Risk{RuleDatabase, reason})
	case id.Group == "" && id.Kind == "PersistentVolumeClaim" && touched:
		risks = append(risks, Risk{RuleStorage, string(RuleStorage)})
	case id.Group == "apps" && id.Kind == "StatefulSet":
		var claims bool
		if c.Change == Changed {
			claims = anyUnder(c.Fields, "spec.volumeClaimTemplates")
		} else {
			templates, _ := lookup(either(c).Content, "spec", "volumeClaimTemplates").([]any)
			claims = len(templates) > 0
		}
		if claims {
			risks = append(risks, Risk{RuleStorage, string(RuleStorage) + " (volumeClaimTemplates)"})
		}
	case id.Group == "batch" && id.Kind == "Job" && c.Change == Added:
		if lookup(c.Head.Content, "metadata", "labels", labelComponent) == componentMigrate {
			risks = append(risks, Risk{RuleMigration, string(RuleMigration)})
		}
	case id.Group == "networking.k8s.io" && id.Kind == "NetworkPolicy" && touched:
		risks = append(risks, Risk{RuleNetworkPolicy, string(RuleNetworkPolicy)})
	}
	if c.Change == Changed {
		risks = append(risks, scaleDowns(c)...)
		if production {
			if changed := changedImages(c.Base.Content, c.Head.Content); len(changed) > 0 {
				risks = append(risks, Risk{RuleProductionImage, string(RuleProductionImage) + " (" + strings.Join(changed, ", ") + ")"})
			}
		}
	}
	return risks
}

func either(c ObjectChange) *Object {
	if c.Head != nil {
		return c.Head
	}
	return c.Base
}

// beyondLabels reports whether a change touches more than metadata.labels.
// A label change (a user's metadata.labels for cost allocation, say)
// reaches every object of a site at once; flagging each CNPG Cluster and
// NetworkPolicy for it would teach reviewers to ignore the flags, and
// labels change nothing the database or the policy engine does. The label
// change is still listed, only not flagged. Annotations count: CNPG acts on some
// (cnpg.io/hibernation stops the database).
func beyondLabels(fields []FieldChange) bool {
	for _, f := range fields {
		if !under(f.Path, "metadata.labels") {
			return true
		}
	}
	return false
}

// anyUnder reports whether a field change is at or below any of paths.
func anyUnder(fields []FieldChange, paths ...string) bool {
	for _, f := range fields {
		for _, p := range paths {
			if under(f.Path, p) {
				return true
			}
		}
	}
	return false
}

// under reports whether path is prefix or below it: a key, an item or the
// order of prefix's items.
func under(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "[") || strings.HasPrefix(rest, " "))
}

// bound is a number whose move in one direction is a risk.
type bound struct {
	group, kind string // kind "" matches every kind of the group
	field       string // below spec
	// stricter is true when a higher value is the risk (a PDB's
	// minAvailable); otherwise a lower value is.
	stricter bool
	// byDefault is the value the API server uses when the field is
	// unset, so that dropping replicas: 3 reads as 3 → 1 (server-side
	// apply resets a field its manager stops setting); nil when unset has
	// no number (a PDB without minAvailable).
	byDefault *float64
}

func defaultOf(v float64) *float64 { return &v }

var bounds = []bound{
	{group: "apps", field: "replicas", byDefault: defaultOf(1)},
	{group: groupCNPG, kind: "Cluster", field: "instances", byDefault: defaultOf(1)},
	{group: groupCNPG, kind: "Pooler", field: "instances", byDefault: defaultOf(1)},
	{group: "autoscaling", kind: "HorizontalPodAutoscaler", field: "minReplicas", byDefault: defaultOf(1)},
	{group: "autoscaling", kind: "HorizontalPodAutoscaler", field: "maxReplicas"},
	{group: groupKEDA, kind: "ScaledObject", field: "minReplicaCount", byDefault: defaultOf(0)},
	{group: groupKEDA, kind: "ScaledObject", field: "maxReplicaCount", byDefault: defaultOf(100)},
	{group: "policy", kind: "PodDisruptionBudget", field: "minAvailable", stricter: true},
	{group: "policy", kind: "PodDisruptionBudget", field: "maxUnavailable"},
}

// scaleDowns lists the bounds of a changed object that move the risky way.
func scaleDowns(c ObjectChange) []Risk {
	var risks []Risk
	for _, b := range bounds {
		if b.group != c.ID.Group || (b.kind != "" && b.kind != c.ID.Kind) {
			continue
		}
		old, hadOld := lookupPresent(c.Base.Content, "spec", b.field)
		new, hasNew := lookupPresent(c.Head.Content, "spec", b.field)
		if !hadOld && !hasNew {
			continue
		}
		show := func(v any, present bool) string {
			if present {
				return compact(v)
			}
			if b.byDefault != nil {
				return "unset (" + strconv.FormatFloat(*b.byDefault, 'g', -1, 64) + ")"
			}
			return "unset"
		}
		risky, note := moves(old, hadOld, new, hasNew, b)
		if !risky {
			continue
		}
		what := b.field + " " + show(old, hadOld) + " → " + show(new, hasNew) + note
		if c.ID.Kind == "PodDisruptionBudget" {
			risks = append(risks, Risk{RuleScaleDown, "stricter PDB " + what})
		} else {
			risks = append(risks, Risk{RuleScaleDown, string(RuleScaleDown) + " " + what})
		}
	}
	return risks
}

// moves says whether a bound moved the risky way, with a note for the
// reason when the move is not a plain comparison. When the two values
// cannot be compared (an integer and a percentage), any change is risky:
// a reviewer has to work it out.
func moves(old any, hadOld bool, new any, hasNew bool, b bound) (risky bool, note string) {
	resolve := func(v any, present bool) (any, bool) {
		if present {
			return v, true
		}
		if b.byDefault != nil {
			return *b.byDefault, true
		}
		return nil, false
	}
	o, oldKnown := resolve(old, hadOld)
	n, newKnown := resolve(new, hasNew)
	if !oldKnown || !newKnown {
		// A PDB bound appearing is a new constraint only for
		// minAvailable; a maxUnavailable going away loosens nothing
		// by itself.
		return b.stricter && hasNew, ""
	}
	ov, on, ok := comparableNumbers(o, n)
	if !ok {
		return compact(o) != compact(n), " (not comparable)"
	}
	if b.stricter {
		return on > ov, ""
	}
	return on < ov, ""
}

// comparableNumbers reads two bound values as numbers of the same sort:
// two integers, or two percentages ("50%").
func comparableNumbers(a, b any) (float64, float64, bool) {
	x, xPercent, xok := number(a)
	y, yPercent, yok := number(b)
	return x, y, xok && yok && xPercent == yPercent
}

func number(v any) (n float64, percent bool, ok bool) {
	switch v := v.(type) {
	case int:
		return float64(v), false, true
	case int64:
		return float64(v), false, true
	case uint64:
		return float64(v), false, true
	case float64:
		return v, false, !math.IsNaN(v)
	case string:
		digits, isPercent := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(digits, 64)
		return f, isPercent, err == nil && !math.IsNaN(f)
	}
	return 0, false, false
}

// changedImages names the containers whose image differs, or that exist
// on one side only, in containers and initContainers lists anywhere in an
// object (a Deployment's pod template, a CronJob's job template...).
func changedImages(old, new map[string]any) []string {
	before, after := map[string]string{}, map[string]string{}
	images("", old, before)
	images("", new, after)
	var names []string
	for p, img := range before {
		if after[p] != img {
			names = append(names, containerName(p))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			names = append(names, containerName(p))
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// images records, by path, the image of every container in v.
func images(at string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			p := keyPath(at, k)
			if list, ok := child.([]any); ok && (k == "containers" || k == "initContainers") {
				for i, item := range list {
					c, _ := item.(map[string]any)
					name, _ := c["name"].(string)
					if name == "" {
						name = strconv.Itoa(i)
					}
					if img, ok := c["image"].(string); ok {
						out[p+"["+bracketed(name)+"]"] = img
					}
				}
			}
			images(p, child, out)
		}
	case []any:
		for i, child := range v {
			images(at+"["+strconv.Itoa(i)+"]", child, out)
		}
	}
}

// containerName is the name between the last brackets of an image path.
func containerName(p string) string {
	open := strings.LastIndex(p, "[")
	if open < 0 {
		return p
	}
	name := strings.TrimSuffix(p[open+1:], "]")
	if unquoted, err := strconv.Unquote(name); err == nil {
		return unquoted
	}
	return name
}

// lookup walks maps by key; nil when any step is missing or not a map.
func lookup(v any, keys ...string) any {
	v, _ = lookupPresent(v, keys...)
	return v
}

func lookupPresent(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// String is what a report prints for the risk.
func (r Risk) String() string {
	return fmt.Sprintf("risk: %s", r.Reason)
}
