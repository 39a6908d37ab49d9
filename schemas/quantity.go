package schemas

import "discoursegen.dev/discoursegen/schemas/engine"

// QuantityPattern is the grammar of resource.Quantity strings that the
// schemas put on every Quantity field. It lives in the engine, which words
// a failed match as a sentence rather than as the expression; see
// engine.QuantityPattern for the grammar and where it is stricter than
// resource.ParseQuantity. TestQuantityPattern holds the pattern to
// ParseQuantity.
const QuantityPattern = engine.QuantityPattern
