package app

// noteStore is the part of Store that keeps notes.
type noteStore interface{}
