package behaviour

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/test/behaviour/internal/harness"
	"discoursegen.dev/discoursegen/test/behaviour/internal/manifests"
)

// discourseExtensions are the PostgreSQL extensions Discourse's migrations
// enable (discourse/discourse). Rails' enable_extension runs CREATE
// EXTENSION IF NOT EXISTS as the connecting role, which is the database
// owner, not a superuser; so an extension that is not trusted (vector) must
// already exist, created by a superuser, or the migration fails.
var discourseExtensions = []struct{ Name, EnabledBy string }{
	{"hstore", "core migrations in db/migrate"},
	{"pg_trgm", "core migrations in db/migrate"},
	{"unaccent", "core migrations in db/migrate"},
	{"vector", "plugins/discourse-ai/db/migrate/20230710171141_enable_pg_vector_extension.rb"},
}

// vectorStandIn plays pgvector, which Debian bookworm does not package. Like
// pgvector's own vector.control it has no "trusted" line, so only a
// superuser may create it: that is the property the test depends on.
var vectorStandIn = harness.StandIn{
	Name:    "vector",
	Version: "0.8.0",
	Control: "# stand-in for pgvector in discoursegen's behaviour tests: same name, version and trust\n" +
		"comment = 'vector data type and ivfflat and hnsw access methods'\n" +
		"default_version = '0.8.0'\n" +
		"relocatable = true\n",
}

// TestDatabaseBootstrap replays, for each env, what CloudNativePG does with
// the rendered Cluster and Database objects, then checks as the database
// owner that Discourse's migrations will find every extension they enable.
func TestDatabaseBootstrap(t *testing.T) {
	t.Parallel()
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			objs := loadEnv(t, env)
			clusters, err := manifests.Clusters(objs)
			if err != nil {
				t.Fatal(err)
			}
			if len(clusters) != 1 {
				t.Fatalf("want exactly one CloudNativePG Cluster in golden/%s, found %d", env, len(clusters))
			}
			cluster := clusters[0]
			dbs, err := manifests.Databases(objs)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			pg := harness.StartPostgres(t, harness.PostgresOptions{
				InitdbArgs: initdbArgs(cluster.InitDB),
				StandIns:   []harness.StandIn{vectorStandIn},
			})
			if got, err := pg.SQL(ctx, pg.Superuser, "postgres", "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"); err != nil || got != vectorStandIn.Version {
				t.Fatalf("the vector stand-in is not available in the private installation: %q, %v", got, err)
			}

			if err := bootstrap(ctx, pg, cluster.InitDB); err != nil {
				t.Fatalf("CloudNativePG's initdb bootstrap of Cluster %s (%s) fails: %v", cluster.Name, cluster.Source, err)
			}
			for _, db := range dbs {
				if db.Spec.Cluster.Name != cluster.Name {
					continue
				}
				if err := reconcileDatabase(ctx, pg, db); err != nil {
					t.Fatalf("CloudNativePG's reconciliation of Database %s (%s) fails: %v", db.Name, db.Source, err)
				}
			}

			owner, app := cluster.InitDB.Owner, cluster.InitDB.Database
			super, err := pg.SQL(ctx, pg.Superuser, "postgres", fmt.Sprintf("SELECT rolsuper FROM pg_roles WHERE rolname = %s", literal(owner)))
			if err != nil || super != "f" {
				t.Fatalf("owner %s: want an existing non-superuser role, rolsuper=%q (%v)", owner, super, err)
			}
			// Connect as the owner, as Discourse does: what it sees is what
			// its migrations get.
			for _, db := range []string{app, "template1"} {
				got, err := pg.SQL(ctx, owner, db, "SELECT extname FROM pg_extension ORDER BY 1")
				if err != nil {
					t.Fatal(err)
				}
				have := map[string]bool{}
				for _, e := range strings.Fields(got) {
					have[e] = true
				}
				var missing []string
				for _, e := range discourseExtensions {
					if !have[e.Name] {
						missing = append(missing, fmt.Sprintf("%s (enabled by %s)", e.Name, e.EnabledBy))
					}
				}
				if len(missing) > 0 {
					t.Errorf("database %s, as owner %s: missing extensions %s; installed: %s\n"+
						"Discourse's migrations run as %s, which cannot create an untrusted extension itself; "+
						"a superuser must create it first: spec.bootstrap.initdb.postInitApplicationSQL (app database) "+
						"and postInitTemplateSQL (template1) of the Cluster, or the Database's spec.extensions",
						db, owner, strings.Join(missing, ", "), strings.Join(strings.Fields(got), ","), owner)
				}
			}

			// The privilege model is real, not an artefact of the stand-in:
			// the owner cannot create vector itself, so a vector missing
			// above cannot be papered over by the migrations. (The scratch
			// database comes from template0, so a vector in template1 does
			// not leak into it.)
			scratch := "behaviour_scratch"
			if _, err := pg.SQL(ctx, pg.Superuser, "postgres", fmt.Sprintf("CREATE DATABASE %s OWNER %s TEMPLATE template0", ident(scratch), ident(owner))); err != nil {
				t.Fatal(err)
			}
			_, err = pg.SQL(ctx, owner, scratch, "CREATE EXTENSION vector")
			if err == nil || !strings.Contains(err.Error(), "permission denied to create extension") {
				t.Errorf("as owner %s in a database it owns, CREATE EXTENSION vector: want permission denied, got %v", owner, err)
			}
		})
	}
}

// initdbArgs are the initdb options CloudNativePG derives from
// spec.bootstrap.initdb (pkg/specs/jobs.go, buildInitDBFlags), after its
// webhook defaults encoding UTF8 and both locales C.
func initdbArgs(in manifests.InitDB) []string {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	args := []string{"--encoding=" + def(in.Encoding, "UTF8"), "--lc-collate=" + def(in.LocaleCollate, "C"), "--lc-ctype=" + def(in.LocaleCType, "C")}
	if in.Locale != "" {
		args = append(args, "--locale="+in.Locale)
	}
	if in.DataChecksums != nil && *in.DataChecksums {
		args = append(args, "-k")
	}
	return args
}

// bootstrap follows CloudNativePG v1.27.4's ConfigureNewInstance
// (pkg/management/postgres/initdb.go), every statement as the superuser:
//  1. CREATE ROLE <owner> LOGIN, unless it exists: a plain role, no
//     SUPERUSER, no CREATEDB;
//  2. postInitSQL in the postgres database;
//  3. postInitTemplateSQL in template1;
//  4. CREATE DATABASE <database> OWNER <owner>, unless it exists (and then
//     CloudNativePG stops here);
//  5. postInitApplicationSQL in the new database.
//
// The SQL lists run one statement per entry, each on its own, as
// CloudNativePG's executeQueries does with database/sql's Exec.
func bootstrap(ctx context.Context, pg *harness.Postgres, in manifests.InitDB) error {
	su := pg.Superuser
	exists, err := pg.SQL(ctx, su, "postgres", "SELECT COUNT(*) > 0 FROM pg_catalog.pg_roles WHERE rolname = "+literal(in.Owner))
	if err != nil {
		return err
	}
	if exists != "t" {
		if _, err := pg.SQL(ctx, su, "postgres", "CREATE ROLE "+ident(in.Owner)+" LOGIN"); err != nil {
			return err
		}
	}
	for _, step := range []struct {
		db    string
		field string
		sql   []string
	}{
		{"postgres", "postInitSQL", in.PostInitSQL},
		{"template1", "postInitTemplateSQL", in.PostInitTemplateSQL},
	} {
		for _, q := range step.sql {
			if _, err := pg.SQL(ctx, su, step.db, q); err != nil {
				return fmt.Errorf("%s: %w", step.field, err)
			}
		}
	}
	exists, err = pg.SQL(ctx, su, "postgres", "SELECT COUNT(*) > 0 FROM pg_catalog.pg_database WHERE datname = "+literal(in.Database))
	if err != nil {
		return err
	}
	if exists == "t" {
		return nil
	}
	if _, err := pg.SQL(ctx, su, "postgres", "CREATE DATABASE "+ident(in.Database)+" OWNER "+ident(in.Owner)); err != nil {
		return err
	}
	for _, q := range in.PostInitApplicationSQL {
		if _, err := pg.SQL(ctx, su, in.Database, q); err != nil {
			return fmt.Errorf("postInitApplicationSQL: %w", err)
		}
	}
	return nil
}

// reconcileDatabase does what CloudNativePG's Database controller does for
// the fields the test models (internal/management/controller/
// database_controller_sql.go): create the database or set its owner, then,
// for each extension, as the superuser in that database: CREATE EXTENSION
// (with VERSION and SCHEMA when given) if pg_extension lacks it, DROP
// EXTENSION IF EXISTS for ensure: absent.
func reconcileDatabase(ctx context.Context, pg *harness.Postgres, db manifests.Database) error {
	su, spec := pg.Superuser, db.Spec
	if spec.Ensure == "absent" {
		return fmt.Errorf("ensure: absent is not modelled")
	}
	exists, err := pg.SQL(ctx, su, "postgres", "SELECT COUNT(*) > 0 FROM pg_catalog.pg_database WHERE datname = "+literal(spec.Name))
	if err != nil {
		return err
	}
	if exists == "t" {
		_, err = pg.SQL(ctx, su, "postgres", "ALTER DATABASE "+ident(spec.Name)+" OWNER TO "+ident(spec.Owner))
	} else {
		_, err = pg.SQL(ctx, su, "postgres", "CREATE DATABASE "+ident(spec.Name)+" OWNER "+ident(spec.Owner))
	}
	if err != nil {
		return err
	}
	for _, ext := range spec.Extensions {
		if ext.Ensure == "absent" {
			if _, err := pg.SQL(ctx, su, spec.Name, "DROP EXTENSION IF EXISTS "+ident(ext.Name)); err != nil {
				return err
			}
			continue
		}
		have, err := pg.SQL(ctx, su, spec.Name, "SELECT COUNT(*) > 0 FROM pg_catalog.pg_extension WHERE extname = "+literal(ext.Name))
		if err != nil {
			return err
		}
		if have == "t" {
			continue
		}
		q := "CREATE EXTENSION " + ident(ext.Name)
		if ext.Version != "" {
			q += " VERSION " + ident(ext.Version)
		}
		if ext.Schema != "" {
			q += " SCHEMA " + ident(ext.Schema)
		}
		if _, err := pg.SQL(ctx, su, spec.Name, q); err != nil {
			return fmt.Errorf("extension %s: %w", ext.Name, err)
		}
	}
	return nil
}

// ident quotes an SQL identifier as pgx.Identifier.Sanitize does.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// literal quotes an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
