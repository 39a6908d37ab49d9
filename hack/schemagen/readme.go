package main

import (
	"fmt"
	"strings"

	"discoursegen.dev/discoursegen/hack/sources"
)

// readme renders schemas/README.md. It only depends on the sources, so it
// is as deterministic as the schemas it describes.
func readme(origins []origin, kube sources.Kubernetes) []byte {
	var b strings.Builder
	b.WriteString(readmeHeader)
	b.WriteString(`# schemas

Strict JSON schemas for every Kubernetes kind and custom resource that
discoursegen renders (plus kinds users commonly add in an overlay), and the Go
package ` + "`schemas`" + ` that validates manifests against them
(` + "`discoursegen validate`" + `).

## How they are made

` + "`hack/schemagen`" + ` reads ` + "`hack/sources.yaml`" + `, locates every module listed
there with ` + "`go mod download -json MODULE@VERSION`" + ` (the Go module cache; nothing
else is fetched) and converts:

- **Kubernetes kinds** from ` + "`api/openapi-spec/swagger.json`" + ` of ` + "`k8s.io/kubernetes`" + `.
  Every ` + "`$ref`" + ` is inlined, so each file is standalone. ` + "`IntOrString`" + ` becomes
  ` + "`oneOf: [string, integer]`" + `, ` + "`Quantity`" + ` becomes ` + "`oneOf: [string, number]`" + ` plus
  the Quantity syntax as a pattern. ` + "`RawExtension`" + ` and ` + "`FieldsV1`" + ` stay open objects;
  ` + "`Time`" + ` is a ` + "`date-time`" + ` string. A recursive type would be left open at the
  point of recursion (none of the listed kinds has one).
- **CustomResourceDefinitions**: every served version with
  ` + "`schema.openAPIV3Schema`" + `. ` + "`x-kubernetes-int-or-string`" + ` becomes
  ` + "`oneOf: [string, integer]`" + `, and ` + "`metadata`" + ` (left as a bare ` + "`type: object`" + ` by
  controller-gen) is replaced by the full Kubernetes ` + "`ObjectMeta`" + ` schema.

Strictness rules, the same for both:

- ` + "`additionalProperties: false`" + ` on every object with ` + "`properties`" + `, the root
  included, unless the upstream schema already has ` + "`additionalProperties`" + ` (maps
  such as labels, annotations, resource limits) or
  ` + "`x-kubernetes-preserve-unknown-fields: true`" + ` (deliberately open content). In
  CRDs, a ` + "`type: object`" + ` without properties is closed too: the apiserver would
  prune anything below it.
- ` + "`apiVersion`" + ` and ` + "`kind`" + ` are required and pinned with an ` + "`enum`" + ` to the exact
  value; the root carries ` + "`x-kubernetes-group-version-kind`" + `.
- Optional properties accept ` + "`null`" + `, required ones do not, nor do array items
  or map values. The apiserver treats null in an optional field as unset
  (and prunes it in custom resources), so ` + "`creationTimestamp: null`" + ` is valid
  there and valid here; kubeconform's strict schemas make the same choice.
- Upstream ` + "`required`" + ` lists are kept. Every file declares JSON Schema draft 4,
  the dialect OpenAPI 2/3.0 schemas are written in and the default draft of
  kubeconform.
- Every file carries ` + "`x-discoursegen-generator: hack/schemagen`" + `; that marker is
  how a later run finds its own stale files to delete. Files without it are
  never touched.

Output is deterministic: sorted keys, two-space indent, trailing newline.

## The Discourse config

` + "`config/discoursegen.dev/discourse_v1alpha1.json`" + ` is the schema of discoursegen's
own input, derived from the Go types in ` + "`generator/spec.go`" + ` by
` + "`hack/configschema`" + ` (also run by ` + "`make schemas`" + `). A test fails when the
committed file differs from the types. The same validator checks configs and
rendered output.

## The compiled form

The validator does not read these JSON files at run time. ` + "`hack/schemacompile`" + `,
the last step of ` + "`make schemas`" + `, compiles every file under ` + "`kubernetes/`" + `,
` + "`crds/`" + ` and ` + "`config/`" + ` into ` + "`table_gen.go`" + `: one table of schema nodes for all
kinds, plus the root node of each kind. Identical subtrees are stored once
(compared after dropping the annotations: descriptions, defaults,
` + "`x-kubernetes-*`" + `, ` + "`x-discoursegen-*`" + `), so PodSpec is one set of nodes for
Deployment, Job, CronJob and StatefulSet, and the CNPG Pooler's PodSpec (from
another Kubernetes release, one field apart) shares every subtree it has in
common with it. The table is a Go composite literal of numbers and strings,
which the linker lays out as static data: ` + "`schemas.Default()`" + ` reads and parses
nothing, and a process only touches the nodes of the kinds it validates.

The validator over the table (` + "`engine/`" + `) implements exactly the keywords these
schemas use: ` + "`type`" + `, ` + "`properties`" + `, ` + "`additionalProperties`" + `, ` + "`required`" + `,
` + "`items`" + `, ` + "`enum`" + `, ` + "`format`" + ` (` + "`int32`" + `, ` + "`int64`" + `, ` + "`byte`" + `, ` + "`date-time`" + `,
` + "`duration`" + `), ` + "`pattern`" + `, ` + "`minimum`" + `, ` + "`maximum`" + `, ` + "`minLength`" + `, ` + "`maxLength`" + `,
` + "`minItems`" + `, ` + "`maxItems`" + `, ` + "`maxProperties`" + `, ` + "`oneOf`" + ` and ` + "`anyOf`" + `.
The compiler lists the annotations it ignores; any other keyword (or format)
makes it fail with the file and JSON pointer, so no schema is ever checked
less than it says. ` + "`schemas.New`" + ` compiles another schema directory at run time
with the same compiler.

Two checks keep the compiled form honest:

- ` + "`make verify`" + ` (and ` + "`TestTableIsFresh`" + `, which needs no make) fails when
  ` + "`table_gen.go`" + ` is not what the committed JSON compiles to.
- The differential tests hold the engine's findings, word for word and in
  order, to those of the validator it replaced (the JSON files compiled by
  ` + "`github.com/santhosh-tekuri/jsonschema/v5`" + `, now a test dependency only):
  on every manifest in the repository, on systematic mutations of each, and
  under fuzzing (` + "`FuzzEngineMatchesLibrary`" + `).

` + "`make verify`" + ` regenerates everything here and fails on any difference.

## Sources

`)
	total := 0
	for _, o := range origins {
		total += len(o.Outputs)
		fmt.Fprintf(&b, "### %s@%s\n\n", o.Module, o.Version)
		b.WriteString("Read from the module:\n\n")
		for _, in := range o.Inputs {
			fmt.Fprintf(&b, "- `%s`\n", in)
		}
		fmt.Fprintf(&b, "\n%s:\n\n", plural(len(o.Outputs), "schema"))
		for _, out := range o.Outputs {
			fmt.Fprintf(&b, "- [`%s`](%s)\n", out, out)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s in total.\n\n", plural(total, "schema"))

	kubeNorm := strings.TrimPrefix(kube.Version, "v")
	b.WriteString(`## Regenerating

Versions, kinds and CRD files are pinned in ` + "`hack/sources.yaml`" + `, the single
source of truth. After changing it (or the generator), run:

    make schemas        # runs hack/schemagen, hack/configschema, hack/schemacompile

and commit the result. ` + "`make verify`" + ` regenerates the schemas and fails when
they differ from what is committed, so hand edits and forgotten
regenerations are caught.

## Using the schemas

In Go, ` + "`schemas.Default()`" + ` validates against the compiled table built into the
binary (the JSON files are embedded too, for ` + "`schemas.ConfigSchema`" + ` and
` + "`discoursegen schema`" + `); the CLI is ` + "`discoursegen validate [PATH...]`" + `. The
layout also works as a kubeconform registry, fully offline:

    kubeconform -strict -summary -kubernetes-version ` + kubeNorm + ` \
      -schema-location 'schemas/kubernetes/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json' \
      -schema-location 'schemas/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' \
      golden/production

(Kubernetes schemas live in ` + "`" + kube.SchemaDir() + "/`" + `.)

## config/

` + "`schemas/config/`" + ` holds the JSON schema of the discoursegen function config,
generated from the Go types by its own generator, not by ` + "`hack/schemagen`" + `.
schemagen never writes or deletes anything there; the validator finds that
schema like any other, by the ` + "`x-kubernetes-group-version-kind`" + ` at its root.
`)
	return []byte(b.String())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
