package engine

// QuantityPattern is the grammar of resource.Quantity strings, as
// resource.ParseQuantity (k8s.io/apimachinery/pkg/api/resource) parses
// them: an optional sign, a decimal number, then an optional suffix that is
// binary (Ki Mi Gi Ti Pi Ei), decimal SI (n u m k M G T P E) or an integer
// exponent (e3, E-2). The schemas put it on every Quantity string, so a
// value that passes the schema always parses, and one that would fail on
// the apiserver ("1 GB", "1gb", "5xy") fails here, with a field path.
//
// ParseQuantity's own error message quotes a much looser expression,
// ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$, which only splits number
// from suffix; the suffix is checked after that. This pattern is the
// grammar after both steps. It is controller-gen's pattern for Quantity
// fields with one correction: controller-gen allows a decimal exponent
// ("1e1.5"), which ParseQuantity rejects.
//
// Where the two still differ, the pattern is the stricter side:
//   - a number without any digit ("Gi", "m", ".", "+", "e3"):
//     ParseQuantity takes some of them as zero and rejects others ("Pi",
//     "e-10") depending on which of its code paths runs, which is not a
//     grammar anyone writes on purpose;
//   - magnitude: an exponent beyond int64 fails to parse but matches.
//
// TestQuantityPattern (package schemas) holds the pattern to ParseQuantity.
const QuantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?[0-9]+))?$`
