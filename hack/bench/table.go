package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// result is what one side of a row measured: the counted samples, or why
// there are none (a timeout, a failed run, a skipped peer).
type result struct {
	// Name says what ran: "ours", "baseline 9da6271", "kubeconform v0.8.0".
	Name string
	// Walls and RSS are the counted runs, in run order; RSS in KiB.
	Walls []time.Duration
	RSS   []int64
	// Err, when not empty, replaces the figures in the table: "timeout",
	// "error: …", "skipped: …".
	Err string
}

// ok says whether the result has figures to show.
func (r result) ok() bool { return r.Err == "" && len(r.Walls) > 0 }

// median is the median wall time of the counted runs.
func (r result) median() time.Duration { return median(r.Walls) }

// peakMiB is the largest resident set of any counted run, in MiB.
func (r result) peakMiB() float64 {
	if len(r.RSS) == 0 {
		return 0
	}
	return float64(slices.Max(r.RSS)) / 1024
}

// goalKind is how a row's ratio is judged.
type goalKind int

const (
	// noGoal: the row is shown for information.
	noGoal goalKind = iota
	// atMost: ratio ≤ limit passes (time of ours over time of the peer).
	atMost
	// atLeast: ratio ≥ limit passes (a throughput ratio).
	atLeast
)

// row is one line of the table.
type row struct {
	Label string
	Ours  result
	// Peer is empty (Name "") for a row without a peer.
	Peer result
	// Ratio is computed by the row's maker (ratioOf or throughputOf);
	// HasRatio is false when either side has no figures.
	Ratio    float64
	HasRatio bool
	Goal     goalKind
	Limit    float64
	// GoalText is the goal as printed ("≤ 0.125", "< 10 s, < 1024 MiB");
	// Pass, for rows whose goal is not a ratio, is decided by the maker.
	GoalText string
	// Verdict overrides the ratio verdict when not empty ("pass", "FAIL").
	Verdict string
	Note    string
}

// median returns the median of ds: the middle value, or the mean of the
// two middle values of an even count; 0 for none. ds is not modified.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratioOf is ours' median time over the peer's (lower is better for ours).
func ratioOf(ours, peer result) (float64, bool) {
	if !ours.ok() || !peer.ok() || peer.median() <= 0 {
		return 0, false
	}
	return float64(ours.median()) / float64(peer.median()), true
}

// throughputOf is the peer's median time over ours: how many times more
// work ours does in the same time (higher is better for ours).
func throughputOf(ours, peer result) (float64, bool) {
	if !ours.ok() || !peer.ok() || ours.median() <= 0 {
		return 0, false
	}
	return float64(peer.median()) / float64(ours.median()), true
}

// verdict is the row's result column: pass, FAIL, or "—" when the row has
// no goal or nothing to judge.
func (r row) verdict() string {
	if r.Verdict != "" {
		return r.Verdict
	}
	if r.Goal == noGoal {
		return "—"
	}
	if strings.HasPrefix(r.Ours.Err, "skipped") {
		return "not run"
	}
	if !r.HasRatio {
		return "FAIL"
	}
	switch r.Goal {
	case atMost:
		if r.Ratio <= r.Limit {
			return "pass"
		}
	case atLeast:
		if r.Ratio >= r.Limit {
			return "pass"
		}
	}
	return "FAIL"
}

// goalText is the goal column.
func (r row) goalText() string {
	if r.GoalText != "" {
		return r.GoalText
	}
	switch r.Goal {
	case atMost:
		return "≤ " + trimFloat(r.Limit)
	case atLeast:
		return "≥ " + trimFloat(r.Limit)
	}
	return "—"
}

// trimFloat prints a limit without trailing zeros: 0.125, 5, 1.5.
func trimFloat(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// formatDuration prints a wall time with three significant figures in a
// unit that suits it: 812 µs, 9.41 ms, 1.29 s.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return sig3(float64(d)/float64(time.Microsecond)) + " µs"
	case d < time.Second:
		return sig3(float64(d)/float64(time.Millisecond)) + " ms"
	default:
		return sig3(d.Seconds()) + " s"
	}
}

// sig3 prints f with three significant figures (f ≥ 1 expected).
func sig3(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.2f", f)
	}
}

// cells are the time and peak columns of one side.
func (r result) cells() (timeCell, peakCell string) {
	switch {
	case r.Name == "":
		return "", ""
	case r.Err != "":
		return r.Err, ""
	case len(r.Walls) == 0:
		return "no runs", ""
	}
	return fmt.Sprintf("%s (n=%d)", formatDuration(r.median()), len(r.Walls)), fmt.Sprintf("%.0f", r.peakMiB())
}

// markdown renders the header lines and the table.
func markdown(header []string, rows []row) string {
	var b strings.Builder
	for _, h := range header {
		b.WriteString(h)
		b.WriteString("\n")
	}
	if len(header) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| row | ours median | ours peak MiB | peer | peer median | peer peak MiB | ratio | goal | result | notes |\n")
	b.WriteString("|---|---:|---:|---|---:|---:|---:|---|---|---|\n")
	for _, r := range rows {
		ot, op := r.Ours.cells()
		pt, pp := r.Peer.cells()
		ratio := ""
		if r.HasRatio {
			ratio = fmt.Sprintf("%.3f", r.Ratio)
		}
		peer := r.Peer.Name
		if peer == "" {
			peer = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			cell(r.Label), cell(ot), op, cell(peer), cell(pt), pp, ratio, cell(r.goalText()), r.verdict(), cell(r.Note))
	}
	return b.String()
}

// cell keeps a value on one table line: no newlines, no bare pipes.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// failures counts the rows whose result column is FAIL.
func failures(rows []row) int {
	n := 0
	for _, r := range rows {
		if r.verdict() == "FAIL" {
			n++
		}
	}
	return n
}
