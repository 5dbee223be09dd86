package persona

// ImportBatch is everything an organisation import writes, as domain
// objects ready for the store, which writes them in one transaction.
type ImportBatch struct {
	Org              Org
	Owner            Member
	Members          []Member // other members (editors)
	DivergencePoints float64
	Groups           []Group
	Templates        []Template
	Versions         []TemplateVersion
	Personas         []PersonaWrite
	Variants         []VariantWrite
	Notes            []NoteWrite
	Evidence         []EvidenceWrite
	EvidenceLinks    []EvidenceLink
	Catalogue        *Catalogue // nil: none
	Launchpads       []LaunchpadWrite
	Links            []AlignmentLink
	Claims           []ClaimMapping
}

// PersonaWrite is a persona with its first revision and search text.
type PersonaWrite struct {
	Persona    Persona
	Revision   Revision
	SearchText string
}

// VariantWrite is a variant with its first revision and search entry.
type VariantWrite struct {
	Variant  Variant
	Revision VariantRevision
	Entry    SearchEntry
}

// NoteWrite is a note with its search entry.
type NoteWrite struct {
	Note  Note
	Entry SearchEntry
}

// EvidenceWrite is an evidence item with its file's bytes (documents) and
// its search entry.
type EvidenceWrite struct {
	Evidence Evidence
	Data     []byte
	Entry    SearchEntry
}

// LaunchpadWrite is a saved Launchpad with its first revision.
type LaunchpadWrite struct {
	Launchpad Launchpad
	Revision  LaunchpadRevision
}
