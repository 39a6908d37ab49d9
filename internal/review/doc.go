// Package review compares two renders of the manifests, the objects
// committed at a base revision and the objects of the change under review,
// and says what a reviewer must look at: the objects removed, added and
// changed in each environment, every changed field with its old and new
// value, and the changes that are risky to apply.
//
// It holds pure functions over bytes and parsed objects; getting the two
// sides (git, rendering) is the caller's job, `discoursegen diff`'s.
//
//   - Parse reads a tree of rendered files (golden/ as committed, or a
//     fresh render laid out the same way) into Objects. The environment is
//     the first path component; everything below it is layout and means
//     nothing here, because the layout can change (golden/<env>/<stage>
//     became golden/<env>/<site>/<stage>) and a file that moves is not a
//     change to what Flux applies. An object is identified by ID: environment,
//     apiVersion group, kind, namespace and name. The version is left out
//     so that a v1beta1 → v1 move shows as a change of apiVersion, not as a
//     removal and an addition.
//   - Compare pairs the objects of both sides by ID into a Report: per
//     environment the removed, added and changed objects, each with its
//     FieldChanges (paths like spec.template.spec.containers[web].image)
//     and its Risks.
//   - Text and Markdown print a Report for a terminal and for a pull
//     request comment; Markdown fits GitHub's comment limit.
//
// Every field counts as a change, labels included; the risk rules are
// where judgement lives (risk.go says what each rule flags and why).
// Output is deterministic: environments, objects, fields and risks are
// sorted, so the same two trees always print the same bytes.
package review
