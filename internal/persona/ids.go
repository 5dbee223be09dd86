package persona

// ExampleID shows what a record ID looks like, for messages.
const ExampleID = "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37"

// ValidID reports whether s is a record ID as Persona Pal writes them: a
// UUID in its canonical form (36 characters, lower-case hexadecimal digits
// in groups of 8-4-4-4-12). IDs read from files and documents are checked
// with it, so that no ID can carry a path ("..", "/"), markup or anything
// else than those 36 characters.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// IDPattern is ValidID as a regular expression (for JSON Schemas).
const IDPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

// idProblem is the message for an ID that is not valid.
const idProblem = "must be an ID as Persona Pal writes them: a lower-case UUID such as " + ExampleID
