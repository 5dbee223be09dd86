package app

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Duplicate detection and merging (docs/duplicates.md).

// mergeStore finds duplicate candidates and merges personas
// (internal/store/merges.go).
type mergeStore interface {
	// DuplicateCandidates returns the organisation's live personas.
	DuplicateCandidates(ctx context.Context, orgID string) ([]persona.Persona, error)
	// SimilarCandidates returns at most limit live personas of the
	// template holding any of words, best full-text matches first.
	SimilarCandidates(ctx context.Context, orgID, templateID string, words []string, limit int) ([]persona.Persona, error)
	// MergePersona moves what is attached to merged onto survivor and
	// marks merged as merged into it.
	MergePersona(ctx context.Context, orgID, survivorID, mergedID, by string, at time.Time) error
	// MergedInto is the survivor a merged persona redirects to;
	// not-found for any other ID.
	MergedInto(ctx context.Context, orgID, id string) (string, error)
	GetMergedPersona(ctx context.Context, orgID, id string) (persona.Persona, error)
	// MergedFrom lists the personas merged into id.
	MergedFrom(ctx context.Context, orgID, id string) ([]persona.Persona, error)
}

// Similar is a persona that looks like another one.
type Similar struct {
	Persona persona.Persona
	Score   float64
	Fields  []string // keys of the fields that agree ("name", "summary", field keys)
}

// Duplicate is a pair of personas that look alike.
type Duplicate struct {
	A, B   persona.Persona
	Score  float64
	Fields []string
}

// maxSimilar is how many look-alikes a create or an import names.
const maxSimilar = 5

// SimilarPersonas returns the organisation's live personas that look like p
// (which need not be stored; p itself is skipped by ID), best first, at most
// five. The create answers and importers call it to warn, never to refuse.
func (s *Service) SimilarPersonas(ctx context.Context, actor Actor, slug string, p persona.Persona) ([]Similar, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	// Only the best full-text matches of its words are scored: a create
	// costs the same in an organisation of ten personas or of ten thousand.
	cands, err := s.store.SimilarCandidates(ctx, org.ID, p.TemplateID, persona.CandidateWords(p, candidateWords), maxSimilarCandidates)
	if err != nil {
		return nil, err
	}
	return similarAmong(p, cands, maxSimilar), nil
}

func similarAmong(p persona.Persona, all []persona.Persona, limit int) []Similar {
	byID := make(map[string]persona.Persona, len(all))
	docs := make([]persona.DupDoc, 0, len(all))
	for _, o := range all {
		byID[o.ID] = o
		docs = append(docs, persona.NewDupDoc(o))
	}
	hits := persona.SimilarTo(persona.NewDupDoc(p), docs, persona.DuplicateThreshold)
	out := []Similar{}
	for _, h := range hits[:min(len(hits), limit)] {
		out = append(out, Similar{Persona: byID[h.B], Score: h.Score, Fields: h.Fields})
	}
	return out
}

// A look-alike check scores the maxSimilarCandidates personas whose text
// best matches candidateWords of the persona's words.
const (
	candidateWords       = 16
	maxSimilarCandidates = 64
)

// SimilarWarning says in one sentence which personas p looks like.
func SimilarWarning(name string, sims []Similar) string {
	if len(sims) == 0 {
		return ""
	}
	parts := make([]string, len(sims))
	for i, x := range sims {
		parts[i] = fmt.Sprintf("%s (%.0f%%)", x.Persona.Name, x.Score*100)
	}
	return fmt.Sprintf("%q looks like %s", name, strings.Join(parts, ", "))
}

// maxImportDuplicateWarnings bounds the look-alike warnings of one import.
const maxImportDuplicateWarnings = 20

// duplicateWarnings warns about the likely duplicates among the personas an
// organisation import brings (the new organisation has no others): one
// sentence a pair, best first; nothing is refused.
func duplicateWarnings(ws []persona.PersonaWrite) []string {
	byID := make(map[string]string, len(ws))
	docs := make([]persona.DupDoc, 0, len(ws))
	for _, w := range ws {
		byID[w.Persona.ID] = w.Persona.Name
		docs = append(docs, persona.NewDupDoc(w.Persona))
	}
	var out []string
	pairs := persona.FindDuplicates(docs, persona.DuplicateThreshold)
	for _, d := range pairs[:min(len(pairs), maxImportDuplicateWarnings)] {
		out = append(out, fmt.Sprintf("persona %q looks like %q (%.0f%% alike); see the organisation's duplicates to merge them", byID[d.B], byID[d.A], d.Score*100))
	}
	if n := len(pairs) - maxImportDuplicateWarnings; n > 0 {
		out = append(out, fmt.Sprintf("and %d more pairs of personas look alike", n))
	}
	return out
}

// maxLookAlikeRecords bounds how many records of one file are checked
// for look-alikes (each costs one full-text query).
const maxLookAlikeRecords = 2000

// ImportLookAlikes warns about the records of a file import that look like
// a live persona of the organisation (each record scored against the best
// full-text matches of its words, as a create is) or like another record
// of the file (the duplicates report's blocked search). Viewers and up; a
// record's ID is where it sits in the file ("row 3"). At most
// maxImportDuplicateWarnings sentences, then a count.
func (s *Service) ImportLookAlikes(ctx context.Context, actor Actor, slug string, records []persona.Persona) ([]string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil || len(records) == 0 {
		return nil, err
	}
	checked := records[:min(len(records), maxLookAlikeRecords)]
	names := map[string]string{}
	pos := make(map[string]int, len(checked)) // a record's place in the file, from 1
	docs := make([]persona.DupDoc, 0, len(checked))
	var hits []persona.Similarity
	for _, r := range checked {
		names[r.ID] = fmt.Sprintf("%q (%s)", r.Name, r.ID)
		pos[r.ID] = len(pos) + 1
		doc := persona.NewDupDoc(r)
		docs = append(docs, doc)
		cands, err := s.store.SimilarCandidates(ctx, org.ID, r.TemplateID, persona.CandidateWords(r, candidateWords), maxSimilarCandidates)
		if err != nil {
			return nil, err
		}
		others := make([]persona.DupDoc, len(cands))
		for i, c := range cands {
			names[c.ID] = fmt.Sprintf("%q", c.Name)
			others[i] = persona.NewDupDoc(c)
		}
		hits = append(hits, persona.SimilarTo(doc, others, persona.DuplicateThreshold)...)
	}
	for _, d := range persona.FindDuplicates(docs, persona.DuplicateThreshold) {
		if pos[d.A] < pos[d.B] {
			d.A, d.B = d.B, d.A // the later record looks like what came before it
		}
		hits = append(hits, d)
	}
	slices.SortStableFunc(hits, func(x, y persona.Similarity) int { return cmp.Compare(y.Score, x.Score) })
	var out []string
	for _, d := range hits[:min(len(hits), maxImportDuplicateWarnings)] {
		out = append(out, fmt.Sprintf("%s looks like %s (%.0f%% alike)", names[d.A], names[d.B], d.Score*100))
	}
	if n := len(hits) - maxImportDuplicateWarnings; n > 0 {
		out = append(out, fmt.Sprintf("and %d more records look like other personas", n))
	}
	if len(records) > maxLookAlikeRecords {
		out = append(out, fmt.Sprintf("only the first %d records were checked for look-alikes", maxLookAlikeRecords))
	}
	return out, nil
}

// Duplicates lists the organisation's likely duplicate pairs, best first
// (viewers and up). Merged and trashed personas are not compared.
func (s *Service) Duplicates(ctx context.Context, actor Actor, slug string) ([]Duplicate, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	all, err := s.store.DuplicateCandidates(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]persona.Persona, len(all))
	docs := make([]persona.DupDoc, 0, len(all))
	for _, p := range all {
		byID[p.ID] = p
		docs = append(docs, persona.NewDupDoc(p))
	}
	out := []Duplicate{}
	for _, d := range persona.FindDuplicates(docs, persona.DuplicateThreshold) {
		out = append(out, Duplicate{A: byID[d.A], B: byID[d.B], Score: d.Score, Fields: d.Fields})
	}
	return out, nil
}

// MergedInto returns the persona a merged persona now lives in: not-found
// when id is not a merged persona of the organisation.
func (s *Service) MergedInto(ctx context.Context, actor Actor, slug, id string) (string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return "", err
	}
	return s.store.MergedInto(ctx, org.ID, id)
}

// MergedFrom lists the personas that were merged into id (their histories
// stay readable on their own history pages).
func (s *Service) MergedFrom(ctx context.Context, actor Actor, slug, id string) ([]persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.MergedFrom(ctx, org.ID, id)
}

// Merge choices: which persona's value a merged field keeps.
const (
	KeepSurvivor = "survivor"
	KeepMerged   = "merged"
)

// MergeField is one row of a merge: a field of the survivor's template with
// both values and which one is kept by default.
type MergeField struct {
	Key, Label       string
	Survivor, Merged any
	Default          string // KeepSurvivor or KeepMerged
	Same             bool
	Dimension        bool
}

// MergeFields lists what a merge of merged into survivor chooses between:
// name, summary, every field and dimension of the survivor's template
// version. The default keeps the survivor's value unless it is empty.
func MergeFields(def persona.Definition, survivor, merged persona.Persona) []MergeField {
	row := func(key, label string, a, b any, dim bool) MergeField {
		f := MergeField{Key: key, Label: label, Survivor: a, Merged: b, Default: KeepSurvivor, Dimension: dim}
		if isEmpty(a) && !isEmpty(b) {
			f.Default = KeepMerged
		}
		f.Same = reflect.DeepEqual(a, b) || (isEmpty(a) && isEmpty(b))
		return f
	}
	out := []MergeField{
		row("name", "Name", survivor.Name, merged.Name, false),
		row(persona.SummaryField, "Summary", survivor.Summary, merged.Summary, false),
	}
	for _, sec := range def.Sections {
		for _, f := range sec.Fields {
			out = append(out, row(f.Key, f.Label, survivor.Values[f.Key], merged.Values[f.Key], false))
		}
	}
	for _, d := range def.Dimensions {
		out = append(out, row("dim:"+d.Key, d.Label, survivor.Dimensions[d.Key], merged.Dimensions[d.Key], true))
	}
	return out
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// MergeRequest is a merge of Merged into the survivor.
type MergeRequest struct {
	Merged string
	// Fields chooses per key (MergeField.Key) KeepSurvivor or KeepMerged;
	// a key left out takes its default.
	Fields map[string]string
	// IfMatch is the survivor's revision the caller saw (required);
	// MergedIfMatch the merged persona's (checked when not 0).
	IfMatch, MergedIfMatch int
}

// MergePreview loads both personas of a merge and the rows to choose
// between (editors).
func (s *Service) MergePreview(ctx context.Context, actor Actor, slug, survivorID, mergedID string) (persona.Persona, persona.Persona, []MergeField, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, persona.Persona{}, nil, err
	}
	sp, mp, def, err := s.mergePair(ctx, org.ID, survivorID, mergedID)
	if err != nil {
		return persona.Persona{}, persona.Persona{}, nil, err
	}
	return sp, mp, MergeFields(def, sp, mp), nil
}

func (s *Service) mergePair(ctx context.Context, orgID, survivorID, mergedID string) (persona.Persona, persona.Persona, persona.Definition, error) {
	var none persona.Definition
	sp, err := s.store.GetPersona(ctx, orgID, survivorID)
	if err != nil {
		return sp, persona.Persona{}, none, err
	}
	if mergedID == "" {
		return sp, persona.Persona{}, none, persona.Invalid("invalid merge", []persona.FieldError{{Field: "merge", Message: "is required: the persona to merge into this one"}})
	}
	if mergedID == survivorID {
		return sp, persona.Persona{}, none, persona.Invalid("invalid merge", []persona.FieldError{{Field: "merge", Message: "must be another persona"}})
	}
	mp, err := s.store.GetPersona(ctx, orgID, mergedID)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		return sp, mp, none, persona.Invalid("invalid merge", []persona.FieldError{{Field: "merge", Message: "no such persona in this organisation"}})
	} else if err != nil {
		return sp, mp, none, err
	}
	if mp.TemplateID != sp.TemplateID {
		return sp, mp, none, persona.Invalid("invalid merge", []persona.FieldError{{Field: "merge",
			Message: "must use the same template as this persona (" + mp.Name + " uses another one)"}})
	}
	v, err := s.version(ctx, orgID, sp.TemplateID, sp.TemplateVersion)
	return sp, mp, v.Definition, err
}

// MergePersonas merges persona req.Merged into survivorID (editors), in one
// transaction: the survivor gets a new revision with the chosen values;
// variants, evidence links, notes, comments, alignment links, work links,
// Launchpads and share links move to it; the merged persona keeps its own
// revisions and redirects to the survivor from then on. Both personas must
// use the same template. Two live variants for the same customer are a
// conflict naming the customers (trash one of them first). A stale
// IfMatch, an unknown key or a bad choice writes nothing.
func (s *Service) MergePersonas(ctx context.Context, actor Actor, slug, survivorID string, req MergeRequest) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	cur, err := s.currentForWrite(ctx, org.ID, survivorID, req.IfMatch)
	if err != nil {
		return persona.Persona{}, err
	}
	sp, mp, def, err := s.mergePair(ctx, org.ID, survivorID, req.Merged)
	if err != nil {
		return persona.Persona{}, err
	}
	if req.MergedIfMatch != 0 && req.MergedIfMatch != mp.Revision {
		return persona.Persona{}, &persona.Error{Code: persona.CodePreconditionFailed, Current: mp.Revision,
			Message: fmt.Sprintf("%s was changed meanwhile; its current revision is %d", mp.Name, mp.Revision)}
	}
	rows := MergeFields(def, sp, mp)
	known := map[string]MergeField{}
	for _, r := range rows {
		known[r.Key] = r
	}
	var fields []persona.FieldError
	for _, k := range slices.Sorted(maps.Keys(req.Fields)) {
		v := req.Fields[k]
		if _, ok := known[k]; !ok {
			fields = append(fields, persona.FieldError{Field: "fields." + k, Message: "is not a field of this persona's template"})
		} else if v != KeepSurvivor && v != KeepMerged {
			fields = append(fields, persona.FieldError{Field: "fields." + k, Message: `must be "survivor" or "merged"`})
		}
	}
	if err := persona.Invalid("invalid merge", fields); err != nil {
		return persona.Persona{}, err
	}
	if err := s.variantClash(ctx, org.ID, sp, mp); err != nil {
		return persona.Persona{}, err
	}
	content := cur.Content
	content.Values = maps.Clone(cur.Values)
	content.Dimensions = maps.Clone(cur.Dimensions)
	if content.Values == nil {
		content.Values = persona.Values{}
	}
	if content.Dimensions == nil {
		content.Dimensions = persona.Values{}
	}
	for _, r := range rows {
		choice := req.Fields[r.Key]
		if choice == "" {
			choice = r.Default
		}
		if choice != KeepMerged {
			continue
		}
		switch {
		case r.Key == "name":
			content.Name = mp.Name
		case r.Key == persona.SummaryField:
			content.Summary = mp.Summary
		case r.Dimension:
			setOrDelete(content.Dimensions, strings.TrimPrefix(r.Key, "dim:"), r.Merged)
		default:
			setOrDelete(content.Values, r.Key, r.Merged)
		}
	}
	if err := persona.ValidateContent(def, &content); err != nil {
		return persona.Persona{}, err
	}
	if err := s.checkDirectSave(ctx, cur); err != nil {
		return persona.Persona{}, err
	}
	p := cur
	p.Content = content
	p.Revision = cur.Revision + 1
	p.UpdatedAt = s.timestamp()
	p.UpdatedBy = actor.UserID
	message := "Merged from " + mp.Name
	summary := fmt.Sprintf("%s ← merged %s (revision %d)", p.Name, mp.Name, p.Revision)
	if err := s.inTx(ctx, s.entry(org.ID, actor, "merge", "persona", p.ID, summary), func(tx Store) error {
		if err := tx.MergePersona(ctx, org.ID, sp.ID, mp.ID, actor.UserID, p.UpdatedAt); err != nil {
			return err
		}
		if err := tx.UpdatePersona(ctx, p, revisionOf(p, message), persona.SearchText(p.Content)); err != nil {
			return err
		}
		return s.notifyBaseChanged(ctx, tx, actor, cur, p)
	}); err != nil {
		return persona.Persona{}, err
	}
	return p, nil
}

func setOrDelete(m persona.Values, key string, v any) {
	if isEmpty(v) {
		delete(m, key)
		return
	}
	m[key] = v
}

// variantClash is a conflict when both personas have a live variant for
// the same customer.
func (s *Service) variantClash(ctx context.Context, orgID string, sp, mp persona.Persona) error {
	a, err := s.store.ListVariants(ctx, orgID, sp.ID)
	if err != nil {
		return err
	}
	b, err := s.store.ListVariants(ctx, orgID, mp.ID)
	if err != nil {
		return err
	}
	key := func(v persona.Variant) string {
		if v.CustomerID != "" {
			return "id:" + v.CustomerID
		}
		return "label:" + strings.ToLower(v.CustomerLabel)
	}
	have := map[string]bool{}
	for _, v := range a {
		have[key(v)] = true
	}
	var clash []string
	for _, v := range b {
		if have[key(v)] {
			clash = append(clash, v.ID)
		}
	}
	if len(clash) == 0 {
		return nil
	}
	names, err := s.store.ObjectNames(ctx, orgID, "variant", clash)
	if err != nil {
		return err
	}
	labels := make([]string, 0, len(clash))
	for _, id := range clash {
		n := names[id]
		labels = append(labels, cmp.Or(n.Customer, n.Label()))
	}
	slices.Sort(labels)
	return persona.Errorf(persona.CodeConflict, "both personas have a variant for the same customer (%s); trash or move one of them first",
		strings.Join(labels, ", "))
}
