package rollout

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"discoursegen.dev/discoursegen/test/e2e/internal/sim"
)

// failAnnotation on a pod makes kwok end it in phase Failed.
const failAnnotation = sim.FailAnnotation

// requeueDependency is how often the simulated kustomize-controller
// re-checks a stage's dependency (its --requeue-dependency, which the
// harness sets).
const requeueDependency = 2 * time.Second

// simulation is what the scenarios use of a Sim.
type simulation struct {
	*sim.Sim
	config *rest.Config
}

// startSim starts a simulated cluster for t; it stops when t ends.
func startSim(_ context.Context, t *testing.T) simulation {
	t.Helper()
	bins, err := sim.BinariesFromEnv()
	if err != nil {
		t.Fatalf("%v (run test/e2e/rollout.sh, which builds them)", err)
	}
	s := sim.Start(t, sim.Options{Binaries: bins})
	return simulation{Sim: s, config: s.Config()}
}

// publish serves dir as the next revision of the artifact.
func (s simulation) publish(ctx context.Context, t *testing.T, dir string) string {
	t.Helper()
	rev, err := s.Publish(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}
