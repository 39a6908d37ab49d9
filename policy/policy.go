package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says what a finding does to a build.
type Severity string

const (
	// Error fails the build: kustomize build, generate and validate exit
	// non-zero.
	Error Severity = "error"
	// Warning is printed and the build goes on.
	Warning Severity = "warning"
)

// Rule is one invariant of a Discourse site, judged on the final output.
type Rule struct {
	// ID names the rule in findings and in waiver annotations.
	ID       string
	Severity Severity
	// Prevents is what goes wrong in a cluster when the rule is broken;
	// the rule table in docs/policy.md is made from it.
	Prevents string
	check    func(*site) []Finding
}

// WaiverPrefix is the annotation prefix of a waiver: the annotation
// waive.discoursegen.dev/<rule ID> on an object, whose value is the
// reason, turns that rule's findings on that object into waived ones.
// The reason is mandatory, so the waiver says in the reviewed diff why the
// rule does not apply.
const WaiverPrefix = "waive.discoursegen.dev/"

// ruleWaiver is the ID of the findings about waivers themselves; it
// cannot be waived.
const ruleWaiver = "waiver"

// Ref names an object in findings.
type Ref struct {
	Kind, Namespace, Name string
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Finding is one broken rule on one object.
type Finding struct {
	Rule     string
	Severity Severity
	Object   Ref
	// Field is the path of the offending field in the object, when one
	// field is to blame (spec.replicas, spec.template.spec.containers[0].env).
	Field string
	// Message says what is wrong and why it matters.
	Message string
	// Waived is the waiver's reason when the object waives the rule.
	Waived string
}

// String is the finding on one line. A waived one shows the waiver's
// reason instead of the message: the reviewed reason is what matters once
// a rule is waived, and a build prints it every time.
func (f Finding) String() string {
	if f.Waived != "" {
		return fmt.Sprintf("waived[%s] %s: %s", f.Rule, f.Object, f.Waived)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%s] %s", f.Severity, f.Rule, f.Object)
	if f.Field != "" {
		b.WriteString(" " + f.Field)
	}
	b.WriteString(": " + f.Message)
	return b.String()
}

// Report is the outcome of Check: every finding, waived ones included, in
// a stable order.
type Report struct {
	Findings []Finding
}

// Failed reports whether any finding fails the build: an error that is
// not waived.
func (r Report) Failed() bool { return len(r.Errors()) > 0 }

// Errors are the findings that fail the build.
func (r Report) Errors() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == Error && f.Waived == "" {
			out = append(out, f)
		}
	}
	return out
}

// String is one finding per line.
func (r Report) String() string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// Rules is the rule set, in the order of the rule table.
func Rules() []Rule { return slices.Clone(rules) }

// ruleByID finds a rule; ok is false for an unknown ID.
func ruleByID(id string) (Rule, bool) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return rules[i], true
}

// Check judges one rendered output: every object one kustomize build of
// an environment produced. Objects are grouped by site (their
// app.kubernetes.io/instance label); an object without one belongs to
// every site of its namespace. Check never fails: an object that does not
// decode into its Kubernetes type is left to the schemas, which say why,
// and the rules judge the rest.
func Check(objs []Object) Report {
	var findings []Finding
	for _, s := range sites(objs) {
		for _, r := range rules {
			for _, f := range r.check(s) {
				f.Rule, f.Severity = r.ID, r.Severity
				findings = append(findings, f)
			}
		}
	}
	findings = applyWaivers(objs, dedupe(findings))
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Object.Namespace, b.Object.Namespace),
			cmp.Compare(a.Object.Kind, b.Object.Kind),
			cmp.Compare(a.Object.Name, b.Object.Name),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return Report{Findings: findings}
}

// dedupe drops repeated findings: an object shared by several sites (an
// unlabelled one) is judged once per site.
func dedupe(fs []Finding) []Finding {
	seen := map[Finding]bool{}
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// applyWaivers marks the findings an object waives and adds findings for
// waivers that cannot be honoured: an unknown rule, an empty reason, or
// the waiver rule itself.
func applyWaivers(objs []Object, fs []Finding) []Finding {
	waivers := map[Ref]map[string]string{}
	for i := range objs {
		o := &objs[i]
		for key, reason := range o.annotations() {
			id, ok := strings.CutPrefix(key, WaiverPrefix)
			if !ok {
				continue
			}
			field := "metadata.annotations." + key
			_, known := ruleByID(id)
			switch {
			case !known || id == ruleWaiver:
				fs = append(fs, Finding{Rule: ruleWaiver, Severity: Error, Object: o.Ref, Field: field,
					Message: fmt.Sprintf("waives %q, which is not a rule that can be waived; the rules are %s", id, strings.Join(ruleIDs(), ", "))})
			case strings.TrimSpace(reason) == "":
				fs = append(fs, Finding{Rule: ruleWaiver, Severity: Error, Object: o.Ref, Field: field,
					Message: "a waiver must say why the rule does not apply: write the reason as the annotation's value"})
			default:
				if waivers[o.Ref] == nil {
					waivers[o.Ref] = map[string]string{}
				}
				waivers[o.Ref][id] = strings.TrimSpace(reason)
			}
		}
	}
	for i := range fs {
		if fs[i].Rule != ruleWaiver {
			fs[i].Waived = waivers[fs[i].Object][fs[i].Rule]
		}
	}
	return fs
}

func ruleIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}
