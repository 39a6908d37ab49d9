package generator

import (
	"slices"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	networkingv1 "k8s.io/api/networking/v1"
)

// TestBackupEgress: the database instances (and the recovery Job, which
// carries the same cluster label) may reach the object store and nothing
// else outside, whatever the store: the listed ranges on the endpoint's
// port, any address on an in-cluster store's own port, and the public
// internet (never private ranges) on 443 for AWS. Without backups or a
// restore, the instances reach no object store. The cyclonus truth table
// cannot see this on the example, whose API server rule allows any address
// on 443.
func TestBackupEgress(t *testing.T) {
	cases := []struct {
		name string
		edit func(*v1alpha1.Discourse)
		// want is the port and the CIDRs of the store rule; nil for none.
		port int32
		want []string
	}{
		{"AWS", nil, 443, []string{"0.0.0.0/0", "::/0"}},
		{"listed ranges", func(c *v1alpha1.Discourse) {
			c.Spec.Postgres.CNPG.Backup.EgressCIDRs = []string{"198.51.100.0/24"}
		}, 443, []string{"198.51.100.0/24"}},
		{"in-cluster MinIO", func(c *v1alpha1.Discourse) {
			c.Spec.Postgres.CNPG.Backup.Endpoint = "http://minio.minio.svc:9000"
		}, 9000, []string{"0.0.0.0/0", "::/0"}},
		{"no backups", func(c *v1alpha1.Discourse) {
			c.Spec.Postgres.CNPG.Backup.Enabled = new(bool)
		}, 0, nil},
		{"restore without backups", func(c *v1alpha1.Discourse) {
			c.Spec.Postgres.CNPG.Backup.Enabled = new(bool)
			c.Spec.Postgres.CNPG.Name = "forum-pg-2"
			c.Spec.Postgres.CNPG.Restore = &v1alpha1.Restore{ServerName: "forum-pg"}
		}, 443, []string{"0.0.0.0/0", "::/0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := budgetSite(t, c.edit)
			var db *networkingv1.NetworkPolicy
			for _, p := range d.networkPolicies() {
				if p.Name == d.networkPolicyName("database") {
					db = p
				}
			}
			if db == nil {
				t.Fatal("no database NetworkPolicy")
			}
			var got []string
			var gotPort int32
			for _, r := range db.Spec.Egress {
				if len(r.Ports) != 1 || r.To[0].IPBlock == nil || r.Ports[0].Port.IntVal == 6443 {
					continue // the peers, and the API server's rule (443 and 6443)
				}
				gotPort = r.Ports[0].Port.IntVal
				for _, peer := range r.To {
					got = append(got, peer.IPBlock.CIDR)
					if peer.IPBlock.CIDR == "0.0.0.0/0" && c.port == 443 && !slices.Contains(peer.IPBlock.Except, "169.254.0.0/16") {
						t.Errorf("the store rule reaches link-local addresses (the metadata service): except %v", peer.IPBlock.Except)
					}
				}
			}
			if gotPort != c.port || !slices.Equal(got, c.want) {
				t.Errorf("object store egress: port %d to %v, want port %d to %v", gotPort, got, c.port, c.want)
			}
		})
	}
}
