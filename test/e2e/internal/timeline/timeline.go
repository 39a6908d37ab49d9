package timeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// Event is one thing that happened to one object.
type Event struct {
	// At is when the recorder saw it; Revision is the etcd revision of
	// the write (the object's resourceVersion in the watch event).
	At       time.Time
	Revision int64
	Kind     string // Pod, Job, Kustomization
	Name     string
	// What is "created", "deleted", "phase Running", "ready",
	// "not ready", "Complete", "Failed", "Ready=True: <message>", ...
	What string
	// Labels of the object (pods and Jobs), for selecting by component
	// and version.
	Labels map[string]string
}

// Watched are the resources the recorder watches.
var Watched = map[string]schema.GroupVersionResource{
	"Pod":           {Version: "v1", Resource: "pods"},
	"Job":           {Group: "batch", Version: "v1", Resource: "jobs"},
	"Kustomization": {Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"},
}

// Recorder collects Events until its context ends.
type Recorder struct {
	start  time.Time
	mu     sync.Mutex
	events []Event
	// last is what was last recorded per object, to record changes only.
	last map[string]state
}

// state is the part of an object whose changes are events.
type state struct {
	phase     string
	ready     bool
	condition string
}

// Start watches the Watched resources in every namespace and records
// events until ctx ends. It returns once the informers have synced, so an
// object created after Start returns is always seen.
func Start(ctx context.Context, cfg *rest.Config) (*Recorder, error) {
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	r := &Recorder{start: time.Now(), last: map[string]state{}}
	factory := dynamicinformer.NewDynamicSharedInformerFactory(client, 0)
	kinds := make([]string, 0, len(Watched))
	for kind := range Watched {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		inf := factory.ForResource(Watched[kind]).Informer()
		_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { r.observe(kind, obj, false) },
			UpdateFunc: func(_, obj any) { r.observe(kind, obj, false) },
			DeleteFunc: func(obj any) { r.observe(kind, obj, true) },
		})
		if err != nil {
			return nil, err
		}
	}
	factory.Start(ctx.Done())
	for gvr, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return nil, fmt.Errorf("timeline: %s did not sync", gvr.Resource)
		}
	}
	return r, nil
}

func (r *Recorder) observe(kind string, obj any, deleted bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	rev, _ := strconv.ParseInt(u.GetResourceVersion(), 10, 64)
	key := kind + "/" + u.GetNamespace() + "/" + u.GetName()
	now := time.Now()
	ev := func(what string) Event {
		return Event{At: now, Revision: rev, Kind: kind, Name: u.GetNamespace() + "/" + u.GetName(), What: what, Labels: u.GetLabels()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prev, seen := r.last[key]
	if deleted {
		delete(r.last, key)
		r.events = append(r.events, ev("deleted"))
		return
	}
	cur := stateOf(kind, u)
	if !seen {
		r.events = append(r.events, ev("created"))
		prev = state{}
	}
	if cur.phase != prev.phase && cur.phase != "" {
		r.events = append(r.events, ev("phase "+cur.phase))
	}
	if cur.ready != prev.ready {
		r.events = append(r.events, ev(map[bool]string{true: "ready", false: "not ready"}[cur.ready]))
	}
	if cur.condition != prev.condition && cur.condition != "" {
		r.events = append(r.events, ev(cur.condition))
	}
	r.last[key] = cur
}

// stateOf reads what is recorded of an object: a pod's phase and
// readiness, a Job's terminal condition, a Kustomization's Ready
// condition with its reason.
func stateOf(kind string, u *unstructured.Unstructured) state {
	var s state
	conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	condition := func(t string) (status, reason, message string) {
		for _, c := range conditions {
			m, _ := c.(map[string]any)
			if m["type"] == t {
				st, _ := m["status"].(string)
				rs, _ := m["reason"].(string)
				ms, _ := m["message"].(string)
				return st, rs, ms
			}
		}
		return "", "", ""
	}
	switch kind {
	case "Pod":
		s.phase, _, _ = unstructured.NestedString(u.Object, "status", "phase")
		st, _, _ := condition("Ready")
		s.ready = st == "True"
	case "Job":
		for _, t := range []string{"Complete", "Failed"} {
			if st, _, _ := condition(t); st == "True" {
				s.condition = t
			}
		}
	case "Kustomization":
		if st, reason, message := condition("Ready"); st != "" {
			rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
			s.condition = fmt.Sprintf("Ready=%s %s (revision %s): %s", st, reason, ShortRevision(rev), FirstLine(message))
		}
	}
	return s
}

// ShortRevision is a Flux revision as the timeline prints it:
// "<name>@sha256:" and the digest's first eight characters.
func ShortRevision(rev string) string {
	if i := strings.LastIndex(rev, ":"); i >= 0 && len(rev)-i > 9 {
		return rev[:i+9]
	}
	return rev
}

// FirstLine is a condition message as the timeline prints it: its first
// line, at most 120 characters.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// Events returns every event so far, in revision order (the order of the
// writes in etcd); events of one write keep the order they were recorded.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	out := append([]Event(nil), r.events...)
	r.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Revision < out[j].Revision })
	return out
}

// Since returns the events after revision rev.
func (r *Recorder) Since(rev int64) []Event {
	var out []Event
	for _, e := range r.Events() {
		if e.Revision > rev {
			out = append(out, e)
		}
	}
	return out
}

// Format renders events as a table: time since the recorder started, the
// revision, the object and what happened.
func (r *Recorder) Format(events []Event) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "t\trevision\tobject\tevent")
	for _, e := range events {
		fmt.Fprintf(w, "%.2fs\t%d\t%s %s\t%s\n", e.At.Sub(r.start).Seconds(), e.Revision, e.Kind, e.Name, e.What)
	}
	w.Flush()
	return b.String()
}

// First returns the first event (in revision order) that matches, and
// whether there is one.
func First(events []Event, match func(Event) bool) (Event, bool) {
	for _, e := range events {
		if match(e) {
			return e, true
		}
	}
	return Event{}, false
}

// MaxAlive is the most objects matching at once, replaying creations and
// deletions in revision order, and the revision at which that count was
// first reached.
func MaxAlive(events []Event, match func(Event) bool) (most int, at int64) {
	alive := map[string]bool{}
	for _, e := range events {
		if !match(e) {
			continue
		}
		switch e.What {
		case "created":
			alive[e.Name] = true
		case "deleted":
			delete(alive, e.Name)
		}
		if len(alive) > most {
			most, at = len(alive), e.Revision
		}
	}
	return most, at
}
