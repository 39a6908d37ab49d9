package review

import (
	"bytes"
	"discoursegen.dev/discoursegen/api/v1alpha1"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Sides name the two sides of a report in its heading, e.g. "golden/ at
// HEAD" and "working tree".
type Sides struct {
	Base, Head string
}

// Text prints a report for a terminal: a summary line per environment,
// then its objects, one per line with their risks, and under each changed
// object its fields as path: old → new.
func Text(r Report, s Sides) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s\n", s.Base, s.Head)
	for _, e := range r.Envs {
		fmt.Fprintf(&b, "%s: %s\n", envName(e), summary(e, false))
		for _, c := range e.Changes {
			fmt.Fprintf(&b, "  %-8s %s", c.Change, c.ID)
			for _, risk := range c.Risks {
				fmt.Fprintf(&b, "  [%s]", risk)
			}
			b.WriteString("\n")
			for _, f := range c.Fields {
				fmt.Fprintf(&b, "      %s\n", fieldLine(f))
			}
		}
	}
	return b.String()
}

// envName marks an environment that runs production under another name;
// which environments get the production image risk must be visible.
func envName(e EnvReport) string {
	if e.Production && e.Env != string(v1alpha1.ProfileProduction) {
		return e.Env + " (production)"
	}
	return e.Env
}

// summary counts an environment's changes: "1 removed, 2 changed, 1
// risky", or "no changes".
func summary(e EnvReport, warn bool) string {
	removed, added, changed, risky := e.Counts()
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{removed, "removed"}, {added, "added"}, {changed, "changed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	out := strings.Join(parts, ", ")
	if risky > 0 {
		mark := ""
		if warn {
			mark = "⚠️ "
		}
		out += fmt.Sprintf("; %s%d risky", mark, risky)
	}
	return out
}

// fieldLine is one changed field: path: old → new, with (none) for the
// side where the field does not exist.
func fieldLine(f FieldChange) string {
	side := func(v any, missing bool) string {
		if missing {
			return "(none)"
		}
		return compact(v)
	}
	return f.Path + ": " + side(f.Old, f.OldMissing) + " → " + side(f.New, f.NewMissing)
}

// MarkdownLimit is the most characters GitHub takes in a pull request
// comment.
const MarkdownLimit = 65536

// markdownBudget is the most bytes Markdown returns: under MarkdownLimit
// (a byte is at most one character) with room for what a CI job adds
// around the report (a marker to find its own comment again, a link to
// the run).
const markdownBudget = MarkdownLimit - 2048

// markdownLimits shorten a Markdown report, from none to the summary
// alone; fields is the most field changes shown per object, rows the most
// objects listed per environment, -1 meaning all.
var markdownLimits = []struct{ fields, rows int }{
	{-1, -1}, {50, -1}, {20, -1}, {5, -1}, {0, -1}, {0, 200}, {0, 50}, {0, 0},
}

// Markdown prints a report as a pull request comment: a summary line per
// environment; for an environment with changes, a table of its objects
// with their risks in the first column, then a collapsed <details> block
// per changed object with its fields. When the whole report would not fit
// in a comment, it shows fewer fields per object, then fewer objects
// (risky ones first), and says so at the top; it never exceeds
// MarkdownLimit.
func Markdown(r Report, s Sides) string {
	for _, l := range markdownLimits {
		if out, fits := markdown(r, s, l.fields, l.rows, true); fits {
			return out
		}
	}
	// Thousands of environments: even one line each is too long.
	out, _ := markdown(r, s, 0, 0, false)
	if len(out) <= markdownBudget {
		return out // cannot happen: the last limits did not fit
	}
	note := "\n\n**The report is cut here to fit the comment limit; run `discoursegen diff` locally for all of it.**\n"
	cut := strings.LastIndex(out[:markdownBudget-len(note)], "\n")
	return out[:max(cut, 0)] + note
}

// markdown prints a report within limits. With stopEarly it gives up, not
// fitting, as soon as the output passes markdownBudget, so that trying
// the limits one by one costs little even for a huge report.
func markdown(r Report, s Sides, fieldLimit, rowLimit int, stopEarly bool) (string, bool) {
	var b strings.Builder
	over := func() bool { return stopEarly && b.Len() > markdownBudget }
	fmt.Fprintf(&b, "### Manifest diff: %s → %s\n\n", code(s.Base), code(s.Head))
	const shortened = "> [!WARNING]\n> The report is shortened to fit GitHub's comment limit: "
	const local = " Run `discoursegen diff` locally for all of it.\n\n"
	switch {
	case rowLimit == 0:
		b.WriteString(shortened + "only the summary of each environment." + local)
	case rowLimit > 0:
		fmt.Fprintf(&b, shortened+"no field changes, and at most %d objects per environment (risky ones first)."+local, rowLimit)
	case fieldLimit == 0:
		b.WriteString(shortened + "no field changes." + local)
	case fieldLimit > 0:
		fmt.Fprintf(&b, shortened+"at most %d field changes per object."+local, fieldLimit)
	}
	for _, e := range r.Envs {
		if over() {
			return "", false
		}
		if len(e.Changes) == 0 {
			fmt.Fprintf(&b, "**%s**: no changes\n\n", text(envName(e)))
			continue
		}
		fmt.Fprintf(&b, "#### %s: %s\n\n", text(envName(e)), summary(e, true))
		shown := e.Changes
		if rowLimit >= 0 && len(shown) > rowLimit {
			shown = firstRows(shown, rowLimit)
		}
		if len(shown) > 0 {
			b.WriteString("| Risk | Change | Object |\n| --- | --- | --- |\n")
			for _, c := range shown {
				var risks []string
				for _, risk := range c.Risks {
					risks = append(risks, "⚠️ "+cell(risk.Reason))
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", strings.Join(risks, "<br>"), c.Change, code(c.ID.String()))
				if over() {
					return "", false
				}
			}
			b.WriteString("\n")
		}
		if hidden := len(e.Changes) - len(shown); hidden > 0 {
			fmt.Fprintf(&b, "… and %d more objects, not shown to fit the comment limit.\n\n", hidden)
		}
		if fieldLimit == 0 {
			continue
		}
		for _, c := range shown {
			if c.Change != Changed {
				continue
			}
			writeDetails(&b, c, fieldLimit)
			if over() {
				return "", false
			}
		}
	}
	return b.String(), !over()
}

// firstRows keeps limit changes, risky ones first, in their report order.
func firstRows(changes []ObjectChange, limit int) []ObjectChange {
	keep := make([]bool, len(changes))
	n := 0
	for _, risky := range []bool{true, false} {
		for i, c := range changes {
			if n < limit && !keep[i] && (len(c.Risks) > 0) == risky {
				keep[i] = true
				n++
			}
		}
	}
	var out []ObjectChange
	for i, c := range changes {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out
}

func writeDetails(b *strings.Builder, c ObjectChange, fieldLimit int) {
	fields := c.Fields
	if fieldLimit >= 0 && len(fields) > fieldLimit {
		fields = fields[:fieldLimit]
	}
	lines := make([]string, 0, len(fields)+1)
	for _, f := range fields {
		lines = append(lines, fieldLine(f))
	}
	if hidden := len(c.Fields) - len(fields); hidden > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more fields, not shown to fit the comment limit", hidden))
	}
	body := strings.Join(lines, "\n")
	plural := "s"
	if len(c.Fields) == 1 {
		plural = ""
	}
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	fmt.Fprintf(b, "<details><summary>%s %s: %d field%s</summary>\n\n%stext\n%s\n%s\n\n</details>\n\n",
		c.Change, code(c.ID.String()), len(c.Fields), plural, fence, body, fence)
}

// longestRun is the length of the longest run of r in s, so a code fence
// can be longer than anything inside it.
func longestRun(s string, r byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == r {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// code is s as inline code that is safe in a table cell and in a
// <summary>: HTML, so no backtick in s can end it, and with pipes escaped,
// which GitHub would otherwise take for a cell boundary.
func code(s string) string {
	return "<code>" + cell(s) + "</code>"
}

// cell escapes s for a table cell.
func cell(s string) string {
	s = html.EscapeString(strings.ReplaceAll(s, "\n", " "))
	return strings.ReplaceAll(s, "|", "&#124;")
}

// text escapes s for running Markdown text.
func text(s string) string {
	var b strings.Builder
	for _, r := range cell(s) {
		if strings.ContainsRune("\\`*_[]#~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// valueLimit is the most characters of a value a field line shows; a
// report is for spotting a change, and a ConfigMap's whole script in one
// line hides it. It is long enough for an image pinned by digest with a
// long repository path: the digest is what a reviewer has to check.
const valueLimit = 200

// compact prints a value on one line: a scalar as YAML writes it (a
// string that YAML would quote, or break over lines, as a JSON string),
// a map or list as flow JSON with sorted keys, cut at valueLimit
// characters with a note of how much is left out.
func compact(v any) string {
	var s string
	switch v.(type) {
	case map[string]any, []any:
		var b strings.Builder
		flow(&b, v)
		s = b.String()
	default:
		s = scalar(v)
	}
	if utf8.RuneCountInString(s) > valueLimit {
		runes := []rune(s)
		return fmt.Sprintf("%s… (%d more characters)", string(runes[:valueLimit]), len(runes)-valueLimit)
	}
	return s
}

func flow(b *strings.Builder, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(jsonString(k))
			b.WriteString(":")
			flow(b, v[k])
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, item := range v {
			if i > 0 {
				b.WriteString(",")
			}
			flow(b, item)
		}
		b.WriteString("]")
	case string:
		b.WriteString(jsonString(v))
	default:
		b.WriteString(scalar(v))
	}
}

// scalar prints a scalar as YAML would.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		out, err := kyaml.Marshal(v)
		s := strings.TrimSuffix(string(out), "\n")
		if err != nil || strings.Contains(s, "\n") {
			return jsonString(v)
		}
		return s
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		switch {
		case math.IsNaN(v):
			return ".nan"
		case math.IsInf(v, 1):
			return ".inf"
		case math.IsInf(v, -1):
			return "-.inf"
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0" // 1.0 is not the integer 1; show which it is
		}
		return s
	}
	return fmt.Sprint(v)
}

// jsonString quotes s as JSON does, without escaping <, > and &, which
// are only a problem inside HTML.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
