package persona

import "encoding/json"

// Encoded is a persona read for an answer that passes its values through
// as the store holds them: Persona carries every other property (its
// Values, Dimensions and Retired maps are nil) and the three JSON objects
// are kept encoded. Decoding them into maps and encoding them again was
// most of what a read through the API cost.
type Encoded struct {
	Persona
	Values, Dimensions json.RawMessage // JSON objects, never empty
	Retired            json.RawMessage // nil when the persona has no retired values
}
