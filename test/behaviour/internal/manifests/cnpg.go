package manifests

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// CNPGAPIVersion is the CloudNativePG API the rendered Cluster, Database and
// Pooler objects use.
const CNPGAPIVersion = "postgresql.cnpg.io/v1"

// InitDB is spec.bootstrap.initdb of a CloudNativePG Cluster, limited to the
// fields the bootstrap test reproduces. It is decoded strictly: a field not
// listed here (postInitSQLRefs, an ICU locale, import, ...) fails the test
// instead of being ignored, because the bootstrap it changes would not be
// the one tested.
type InitDB struct {
	Database               string                 `json:"database"`
	Owner                  string                 `json:"owner"`
	Secret                 *struct{ Name string } `json:"secret,omitempty"` // the owner's password; the tests use trust auth
	Encoding               string                 `json:"encoding,omitempty"`
	LocaleCollate          string                 `json:"localeCollate,omitempty"`
	LocaleCType            string                 `json:"localeCType,omitempty"`
	Locale                 string                 `json:"locale,omitempty"`
	DataChecksums          *bool                  `json:"dataChecksums,omitempty"`
	PostInitSQL            []string               `json:"postInitSQL,omitempty"`
	PostInitTemplateSQL    []string               `json:"postInitTemplateSQL,omitempty"`
	PostInitApplicationSQL []string               `json:"postInitApplicationSQL,omitempty"`
}

// Cluster is a CloudNativePG Cluster: its name and initdb bootstrap.
type Cluster struct {
	Namespace, Name, Source string
	InitDB                  InitDB
}

// Clusters returns the CNPG Clusters in objs.
func Clusters(objs []Object) ([]Cluster, error) {
	var out []Cluster
	for _, o := range Find(objs, CNPGAPIVersion, "Cluster") {
		var c struct {
			Spec struct {
				Bootstrap map[string]json.RawMessage `json:"bootstrap"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(o.JSON, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		raw, ok := c.Spec.Bootstrap["initdb"]
		if !ok || len(c.Spec.Bootstrap) != 1 {
			return nil, fmt.Errorf("%s: spec.bootstrap is not exactly {initdb: ...}; only an initdb bootstrap is modelled", o)
		}
		cl := Cluster{Namespace: o.Namespace, Name: o.Name, Source: o.Source}
		if err := yaml.UnmarshalStrict(raw, &cl.InitDB); err != nil {
			return nil, fmt.Errorf("%s: spec.bootstrap.initdb: %w", o, err)
		}
		out = append(out, cl)
	}
	return out, nil
}

// Extension is one entry of a Database's spec.extensions.
type Extension struct {
	Name    string `json:"name"`
	Ensure  string `json:"ensure,omitempty"` // present (default) or absent
	Version string `json:"version,omitempty"`
	Schema  string `json:"schema,omitempty"`
}

// Database is a CloudNativePG Database object, limited to the fields the
// bootstrap test reproduces; decoded strictly for the reason given on
// InitDB.
type Database struct {
	Namespace, Name, Source string
	Spec                    struct {
		Cluster               struct{ Name string } `json:"cluster"`
		Name                  string                `json:"name"`
		Owner                 string                `json:"owner"`
		Ensure                string                `json:"ensure,omitempty"`
		DatabaseReclaimPolicy string                `json:"databaseReclaimPolicy,omitempty"`
		Extensions            []Extension           `json:"extensions,omitempty"`
	}
}

// Databases returns the CNPG Database objects in objs.
func Databases(objs []Object) ([]Database, error) {
	var out []Database
	for _, o := range Find(objs, CNPGAPIVersion, "Database") {
		var d struct {
			Spec json.RawMessage `json:"spec"`
		}
		if err := yaml.Unmarshal(o.JSON, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		db := Database{Namespace: o.Namespace, Name: o.Name, Source: o.Source}
		if err := yaml.UnmarshalStrict(d.Spec, &db.Spec); err != nil {
			return nil, fmt.Errorf("%s: spec: %w", o, err)
		}
		out = append(out, db)
	}
	return out, nil
}
