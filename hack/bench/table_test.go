package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func ms(ns ...int) []time.Duration {
	var ds []time.Duration
	for _, n := range ns {
		ds = append(ds, time.Duration(n)*time.Millisecond)
	}
	return ds
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"none", nil, 0},
		{"one", ms(7), 7 * time.Millisecond},
		{"odd-unsorted", ms(9, 1, 5), 5 * time.Millisecond},
		{"even-takes-the-mean-of-the-middle-two", ms(4, 1, 10, 2), 3 * time.Millisecond},
		{"outlier-does-not-move-it", ms(10, 11, 12, 13, 5000), 12 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.in)
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
			if !slices.Equal(before, tc.in) {
				t.Errorf("median reordered its input: %v, was %v", tc.in, before)
			}
		})
	}
}

func TestRatios(t *testing.T) {
	ours := result{Name: "ours", Walls: ms(100, 100, 100)}
	peer := result{Name: "peer", Walls: ms(800, 800, 800)}
	if r, ok := ratioOf(ours, peer); !ok || r != 0.125 {
		t.Errorf("ratioOf = %v, %v; want 0.125, true", r, ok)
	}
	if r, ok := throughputOf(ours, peer); !ok || r != 8 {
		t.Errorf("throughputOf = %v, %v; want 8, true", r, ok)
	}
	for name, broken := range map[string]result{
		"timeout": {Name: "peer", Walls: ms(800), Err: "timeout"},
		"no-runs": {Name: "peer"},
	} {
		if _, ok := ratioOf(ours, broken); ok {
			t.Errorf("ratioOf with a %s peer has a ratio", name)
		}
		if _, ok := throughputOf(broken, peer); ok {
			t.Errorf("throughputOf with %s ours has a ratio", name)
		}
	}
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    row
		want string
	}{
		{"at-most-on-the-limit-passes", row{Goal: atMost, Limit: 0.125, Ratio: 0.125, HasRatio: true}, "pass"},
		{"at-most-over-fails", row{Goal: atMost, Limit: 0.125, Ratio: 0.2, HasRatio: true}, "FAIL"},
		{"at-least-under-fails", row{Goal: atLeast, Limit: 5, Ratio: 0.7, HasRatio: true}, "FAIL"},
		{"at-least-over-passes", row{Goal: atLeast, Limit: 5, Ratio: 6, HasRatio: true}, "pass"},
		{"a-goal-without-a-ratio-fails", row{Goal: atMost, Limit: 1.5, Ours: result{Err: "timeout"}}, "FAIL"},
		{"skipped-is-not-run", row{Goal: atLeast, Limit: 5, Ours: result{Err: "skipped: no fleet"}}, "not run"},
		{"no-goal", row{Ratio: 9, HasRatio: true}, "—"},
		{"explicit-verdict-wins", row{Verdict: "pass"}, "pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.verdict(); got != tc.want {
				t.Errorf("verdict = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		812 * time.Microsecond:  "812 µs",
		9410 * time.Microsecond: "9.41 ms",
		42 * time.Millisecond:   "42.0 ms",
		1290 * time.Millisecond: "1.29 s",
		75 * time.Second:        "75.0 s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	rows := []row{
		{
			Label: "generate example",
			Ours:  result{Name: "ours", Walls: ms(100, 300, 200), RSS: []int64{1024, 3072, 2048}},
			Peer:  result{Name: "baseline 9da6271", Walls: ms(800, 800, 800), RSS: []int64{1024}},
			Goal:  atMost, Limit: 0.125, Ratio: 0.25, HasRatio: true,
			Note: "a | b\nc",
		},
		{Label: "fleet 1000", Ours: result{Name: "ours", Err: "timeout"}, GoalText: "< 10 s, < 1024 MiB", Verdict: "FAIL"},
		{Label: "validate + policy", Ours: result{Name: "ours", Walls: ms(5)}},
	}
	got := markdown([]string{"## bench"}, rows)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	want := []string{
		"## bench",
		"",
		"| row | ours median | ours peak MiB | peer | peer median | peer peak MiB | ratio | goal | result | notes |",
		"|---|---:|---:|---|---:|---:|---:|---|---|---|",
		`| generate example | 200 ms (n=3) | 3 | baseline 9da6271 | 800 ms (n=3) | 1 | 0.250 | ≤ 0.125 | FAIL | a \| b c |`,
		"| fleet 1000 | timeout |  | — |  |  |  | < 10 s, < 1024 MiB | FAIL |  |",
		"| validate + policy | 5.00 ms (n=1) | 0 | — |  |  |  | — | — |  |",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("markdown:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if n := failures(rows); n != 2 {
		t.Errorf("failures = %d, want 2", n)
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1000, 10,100,10,1_000")
	if err != nil || !slices.Equal(got, []int{10, 100, 1000}) {
		t.Errorf("parseSizes = %v, %v; want [10 100 1000]", got, err)
	}
	if got, err := parseSizes(""); err != nil || len(got) != 0 {
		t.Errorf("parseSizes(\"\") = %v, %v; want none", got, err)
	}
	for _, bad := range []string{"ten", "0", "-5", "10000"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted it", bad)
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	if err := checkOursValidated(79)(nil, []byte("79 objects in 79 files: 0 invalid, 0 policy errors, 0 policy warnings\n")); err != nil {
		t.Errorf("ours' summary: %v", err)
	}
	if err := checkOursValidated(80)(nil, []byte("79 objects in 79 files: 0 invalid\n")); err == nil {
		t.Error("ours' summary with 79 objects passed for 80")
	}
	kc := []byte("Summary: 79 resources found in 79 files - Valid: 79, Invalid: 0, Errors: 0, Skipped: 0\n")
	if err := checkKubeconformValidated(79)(kc, nil); err != nil {
		t.Errorf("kubeconform's summary: %v", err)
	}
	if err := checkKubeconformValidated(97)(kc, nil); err == nil {
		t.Error("kubeconform's summary with 79 resources passed for 97")
	}
}
