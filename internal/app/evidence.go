package app

// evidenceStore is the part of Store that keeps the evidence library and
// its links to personas (filled in by the evidence feature).
type evidenceStore interface{}
