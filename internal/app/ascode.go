package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Persona-as-code: an organisation as a directory of small YAML files, one
// per template and one per persona, so that changes show as minimal diffs in
// version control. The edges read and write the files; this file works out
// what a directory means for the organisation.
//
// What a directory can change: a persona's content (name, summary, group,
// status, values, dimensions, review dates), its customer variants (edit,
// or add one without an id) and the notes on the persona and on its
// variants (edit, or add one without an id). What it cannot: templates, the
// organisation's name, a persona's template, owner or retired values, a
// variant's recorded base, a note's author or times, and deleting anything
// — a file that tries is refused, naming the file and what cannot be done
// that way, so that no edit is ever reported "unchanged". Every persona,
// variant and note carries the revision (for notes: the updated_at) it was
// written at, and an edit of an older copy is refused.

// PersonaFile is one persona's file: its exported content plus the
// revision it was written at, which guards against applying an edit made to
// an old copy. Its variants carry their revisions too.
type PersonaFile struct {
	Revision int `json:"revision"`
	// AsOf is the time of the latest change the file shows — to the
	// persona, a variant or a note. Anything created up to then was in the
	// file when it was written, so when it is missing now it was removed
	// from the file. Like the revisions, it is bookkeeping: the export
	// writes it, and an edit of it changes nothing.
	AsOf time.Time `json:"as_of"`
	persona.ExportPersona
	// Variants shadows ExportPersona.Variants (encoding/json prefers the
	// shallower field): each variant with its revision.
	Variants []VariantFile `json:"variants,omitempty"`
}

// VariantFile is a variant in a persona file, with the revision it was
// written at.
type VariantFile struct {
	Revision int `json:"revision"`
	persona.ExportVariant
}

// CodeTree is the content of a persona-as-code directory.
type CodeTree struct {
	Org       persona.ExportOrgInfo
	Templates []persona.ExportTemplate
	Personas  []PersonaFile
}

// ExportTree returns the organisation as files (admins).
func (s *Service) ExportTree(ctx context.Context, actor Actor, slug string) (CodeTree, error) {
	e, err := s.ExportOrg(ctx, actor, slug)
	if err != nil {
		return CodeTree{}, err
	}
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return CodeTree{}, err
	}
	t := CodeTree{Org: e.Org, Templates: e.Templates}
	live, err := s.livePersonas(ctx, org.ID)
	if err != nil {
		return CodeTree{}, err
	}
	byID, _ := refSlugs(live)
	for _, ep := range e.Personas {
		p, err := s.store.GetPersona(ctx, org.ID, ep.ID)
		if err != nil {
			return CodeTree{}, err
		}
		vs, err := s.store.ListVariants(ctx, org.ID, p.ID)
		if err != nil {
			return CodeTree{}, err
		}
		f := personaFile(p, ep, vs)
		if err := s.refsAsSlugs(ctx, org.ID, &f, byID); err != nil { // ascode_refs.go
			return CodeTree{}, err
		}
		t.Personas = append(t.Personas, f)
	}
	return t, nil
}

// personaFile is a persona's file from its export and its stored variants.
func personaFile(p persona.Persona, ep persona.ExportPersona, vs []persona.Variant) PersonaFile {
	persona.SortPersona(&ep)
	rev := map[string]int{}
	for _, v := range vs {
		rev[v.ID] = v.Revision
	}
	f := PersonaFile{Revision: p.Revision, AsOf: p.UpdatedAt, ExportPersona: ep}
	later := func(t time.Time) {
		if t.After(f.AsOf) {
			f.AsOf = t
		}
	}
	for _, v := range vs {
		later(v.UpdatedAt)
	}
	for _, n := range ep.Notes {
		later(n.UpdatedAt)
	}
	for _, ev := range ep.Variants {
		for _, n := range ev.Notes {
			later(n.UpdatedAt)
		}
		f.Variants = append(f.Variants, VariantFile{Revision: rev[ev.ID], ExportVariant: ev})
	}
	f.AsOf = f.AsOf.UTC()
	f.ExportPersona.Variants = nil
	return f
}

// TreeFiles is what a persona-as-code directory holds, each part keyed by
// its file name ("personas/system-lead.yaml").
type TreeFiles struct {
	// Org is organisation.yaml (nil when the directory has none).
	Org     *persona.ExportOrgInfo
	OrgFile string
	// Templates are templates/*.yaml; Personas personas/*.yaml.
	Templates map[string]persona.ExportTemplate
	Personas  map[string]PersonaFile
}

// TreeChange is what applying one persona file does.
type TreeChange struct {
	File    string
	Persona string // name
	ID      string
	// Action is "create", "update" (the persona, a variant or a note
	// changed) or "unchanged".
	Action  string
	Changes []persona.Change // of the persona's content
	// Parts lists what happens to the file's variants and notes.
	Parts []PartChange
	// Written is the file as the persona now is, after a real apply of a
	// create or an update: the edge writes it back, so that the revisions in
	// the working copy are current and the next edit applies.
	Written *PersonaFile
}

// PartChange is what happens to one variant or note of a persona file.
type PartChange struct {
	Kind   string // "variant" or "note"
	Action string // "create" or "update"
	What   string // "Big Bank" (a variant), "note on the Big Bank variant", "note 0197…"
	// Fields names what changed ("values.team_size", "note", "body").
	Fields []string
}

// TreeResult is the outcome of applying a directory.
type TreeResult struct {
	Changes []TreeChange
	// Untracked names the live personas of the organisation that no file
	// describes (created since the export, or their files removed): they
	// are left as they are.
	Untracked []string
}

// MaxTreeFiles bounds how many persona files one apply reads.
const MaxTreeFiles = 10_000

// ApplyTree applies a persona-as-code directory to an organisation
// (editors): a persona file with a known ID updates that persona, its
// variants and notes where they differ; a file without an ID creates a
// persona (with the file's variants and notes). Every file is checked first
// — IDs, values, groups, template versions, that each edited part was
// written at its current revision, and that nothing is changed that files
// cannot change (see the top of this file) — and nothing is written unless
// all pass. With dryRun nothing is written.
//
// The writes then run one use case at a time (CreatePersona, UpdatePersona,
// CreateVariant, UpdateVariant, AddNote, UpdateNote), each in its own
// transaction with its audit entry, in file order; since everything was
// checked before the first write, only a failure of the database itself can
// stop it part-way, and the error then names the file.
func (s *Service) ApplyTree(ctx context.Context, actor Actor, slug string, files TreeFiles, dryRun bool) (TreeResult, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return TreeResult{}, err
	}
	if len(files.Personas) > MaxTreeFiles {
		return TreeResult{}, persona.Errorf(persona.CodeInvalid, "%d persona files; at most %d are applied at once", len(files.Personas), MaxTreeFiles)
	}
	members, err := s.store.ListMembers(ctx, org.ID)
	if err != nil {
		return TreeResult{}, err
	}
	emails := map[string]string{}
	for _, m := range members {
		emails[m.UserID] = m.Email
	}
	a := &treeApply{s: s, ctx: ctx, actor: actor, org: org, admin: actor.System || role.AtLeast(persona.RoleAdmin), emails: emails}
	if err := a.checkReadOnly(files); err != nil {
		return TreeResult{}, err
	}
	live, err := s.livePersonas(ctx, org.ID)
	if err != nil {
		return TreeResult{}, err
	}
	byID, bySlug := refSlugs(live)
	a.refSlugs = byID
	seen := map[string]string{} // persona ID → file
	for _, name := range persona.SortedKeys(files.Personas) {
		f := files.Personas[name]
		f.Values = persona.CloneValues(f.Values)
		a.refsFromSlugs(name, &f, bySlug) // ascode_refs.go
		if f.ID != "" {
			if prev, dup := seen[f.ID]; dup {
				a.add(name, "id", "the same persona as "+prev+"; each persona has one file")
				continue
			}
			seen[f.ID] = name
		}
		if len(f.Photo) > 0 { // a file never carries one (ExportTree leaves it out)
			a.add(name, "photo", "a photo is set on the persona's page or through the API, not from files")
			continue
		}
		if len(f.Images) > 0 { // nor pictures of image fields
			a.add(name, "images", "pictures are uploaded on the persona's page, not from files")
			continue
		}
		if len(f.WorkLinks) > 0 { // likewise
			a.add(name, "work_links", "work links are added on the persona's page or through the API, not from files")
			continue
		}
		if err := a.planFile(name, f); err != nil {
			return TreeResult{}, err
		}
	}
	if err := persona.Invalid("the directory cannot be applied", a.errs); err != nil {
		return TreeResult{}, err
	}
	var res TreeResult
	if err := a.untracked(seen, &res); err != nil {
		return TreeResult{}, err
	}
	if dryRun {
		for _, p := range a.plans {
			res.Changes = append(res.Changes, p.change)
		}
		return res, nil
	}
	// Every file is applied, or — when one write fails — none.
	err = s.inOneTx(ctx, func(s *Service) error {
		a.s = s
		for _, p := range a.plans {
			if err := a.write(&p); err != nil {
				return fmt.Errorf("%s: %w", p.change.File, err)
			}
			res.Changes = append(res.Changes, p.change)
		}
		return nil
	})
	if err != nil {
		return TreeResult{}, err
	}
	return res, nil
}

// treeApply is one ApplyTree run: what it found wrong and what it will do.
type treeApply struct {
	refSlugs map[string]string // live persona ID → slug (ascode_refs.go)
	s        *Service
	ctx      context.Context
	actor    Actor
	org      persona.Org
	admin    bool
	emails   map[string]string
	errs     []persona.FieldError
	plans    []filePlan
}

// filePlan is what one persona file will write.
type filePlan struct {
	change   TreeChange
	in       PersonaInput
	write    bool // create or update the persona itself
	ifRev    int
	variants []variantPlan
	notes    []notePlan
}

type variantPlan struct {
	id     string // empty: create
	in     VariantInput
	ifRev  int      // set when the variant is updated
	fields []string // what the update changes
	notes  []notePlan
	idx    int // in the file's variants
}

type notePlan struct {
	id   string // empty: create
	body string
}

func (a *treeApply) add(file, field, msg string) {
	path := file
	if field != "" {
		path += ": " + field
	}
	a.errs = append(a.errs, persona.FieldError{Field: path, Message: msg})
}

// checkID refuses an ID that is not one Persona Pal writes.
func (a *treeApply) checkID(file, field, id string, required bool) bool {
	switch {
	case id == "" && required:
		a.add(file, field, "is required")
		return false
	case id != "" && !persona.ValidID(id):
		a.add(file, field, "must be an ID as Persona Pal writes them: a lower-case UUID such as "+persona.ExampleID)
		return false
	}
	return true
}

// checkReadOnly refuses edits of organisation.yaml and templates/*.yaml:
// the organisation is renamed in its settings, templates are changed in
// the Template Builder (or the API), where drafts and versions are kept.
func (a *treeApply) checkReadOnly(files TreeFiles) error {
	if files.Org != nil {
		name := files.OrgFile
		if name == "" {
			name = "organisation.yaml"
		}
		if files.Org.Name != a.org.Name {
			a.add(name, "name", "the organisation is renamed in its settings, not from files (it is "+strconv.Quote(a.org.Name)+")")
		}
		if files.Org.Slug != a.org.Slug {
			a.add(name, "slug", "an organisation's slug cannot be changed (it is "+a.org.Slug+")")
		}
	}
	if len(files.Templates) == 0 {
		return nil
	}
	templates, err := a.s.store.ListTemplates(a.ctx, a.org.ID)
	if err != nil {
		return err
	}
	byID := map[string]persona.Template{}
	for _, t := range templates {
		byID[t.ID] = t
	}
	for _, name := range persona.SortedKeys(files.Templates) {
		ft := files.Templates[name]
		if !a.checkID(name, "id", ft.ID, true) {
			continue
		}
		t, ok := byID[ft.ID]
		if !ok {
			a.add(name, "id", "no template "+ft.ID+" in this organisation: templates are created in the Template Builder, not from files")
			continue
		}
		cur := persona.ExportTemplate{ID: t.ID, Name: t.Name, ProfileType: t.ProfileType, Description: t.Description, Draft: t.Draft, Versions: []persona.ExportVersion{}}
		vs, err := a.s.store.ListVersions(a.ctx, a.org.ID, t.ID)
		if err != nil {
			return err
		}
		slices.SortFunc(vs, func(x, y persona.TemplateVersion) int { return x.Version - y.Version })
		for _, v := range vs {
			cur.Versions = append(cur.Versions, persona.ExportVersion{Version: v.Version, PublishedAt: v.PublishedAt, Definition: v.Definition})
		}
		var changed []string
		for _, part := range []struct {
			key  string
			a, b any
		}{{"name", ft.Name, cur.Name}, {"profile_type", ft.ProfileType, cur.ProfileType}, {"description", ft.Description, cur.Description},
			{"draft", ft.Draft, cur.Draft}} {
			if !sameValue(part.a, part.b) {
				changed = append(changed, part.key)
			}
		}
		if len(ft.Versions) != len(cur.Versions) {
			changed = append(changed, "versions")
		} else {
			for i := range ft.Versions {
				if ft.Versions[i].Version != cur.Versions[i].Version || !ft.Versions[i].PublishedAt.Equal(cur.Versions[i].PublishedAt) ||
					!sameValue(ft.Versions[i].Definition, cur.Versions[i].Definition) {
					changed = append(changed, fmt.Sprintf("versions[%d]", i))
				}
			}
		}
		if len(changed) > 0 {
			a.add(name, strings.Join(changed, ", "), "templates are changed in the Template Builder (or the API), where drafts are published as new versions; "+
				"a file cannot change them — undo the edit (export again to get the current file)")
		}
	}
	return nil
}

// planFile checks one persona file and plans what it writes.
func (a *treeApply) planFile(name string, f PersonaFile) error {
	ctx, s, orgID := a.ctx, a.s, a.org.ID
	okIDs := a.checkID(name, "id", f.ID, false)
	okIDs = a.checkID(name, "group_id", f.GroupID, true) && okIDs
	okIDs = a.checkID(name, "template_id", f.TemplateID, true) && okIDs
	for i, v := range f.Variants {
		p := fmt.Sprintf("variants[%d]", i)
		okIDs = a.checkID(name, p+".id", v.ID, false) && okIDs
		okIDs = a.checkID(name, p+".customer_id", v.CustomerID, false) && okIDs
		for j, n := range v.Notes {
			okIDs = a.checkID(name, fmt.Sprintf("%s.notes[%d].id", p, j), n.ID, false) && okIDs
		}
	}
	for j, n := range f.Notes {
		okIDs = a.checkID(name, fmt.Sprintf("notes[%d].id", j), n.ID, false) && okIDs
	}
	if !okIDs {
		return nil
	}
	if _, err := s.store.GetGroup(ctx, orgID, f.GroupID); persona.ErrorCode(err) == persona.CodeNotFound {
		a.add(name, "group_id", "no group "+f.GroupID+" in this organisation")
		return nil
	} else if err != nil {
		return err
	}
	in := PersonaInput{Name: f.Name, Summary: f.Summary, GroupID: f.GroupID, TemplateID: f.TemplateID, TemplateVersion: f.TemplateVersion,
		Status: f.Status, Values: f.Values, Dimensions: f.Dimensions, LastReviewedOn: f.LastReviewedOn,
		ReviewIntervalDays: f.ReviewIntervalDays, Message: "Applied from " + name}
	plan := filePlan{in: in}

	if f.ID == "" {
		ver, err := s.version(ctx, orgID, f.TemplateID, f.TemplateVersion)
		if err != nil {
			a.add(name, "template_version", fmt.Sprintf("template %s has no version %d here", f.TemplateID, f.TemplateVersion))
			return nil
		}
		c := persona.Content{Name: f.Name, Summary: f.Summary, Status: f.Status, Values: persona.CloneValues(f.Values), Dimensions: persona.CloneValues(f.Dimensions),
			LastReviewedOn: f.LastReviewedOn, ReviewIntervalDays: f.ReviewIntervalDays}
		if err := persona.ValidateContent(ver.Definition, &c); err != nil {
			for _, fe := range fieldsOf(err) {
				a.add(name, fe.Field, fe.Message)
			}
			return nil
		}
		if f.OwnerEmail != "" && !strings.EqualFold(f.OwnerEmail, a.actor.Email) {
			a.add(name, "owner_email", "a new persona is owned by whoever applies the files; remove it (and change the owner in the app)")
		}
		if len(f.Retired) > 0 {
			a.add(name, "retired", "retired values are kept by the app when a persona is upgraded; a file cannot set them")
		}
		base := persona.Persona{TemplateID: f.TemplateID, Content: c}
		base.TemplateVersion = ver.Version
		for i, v := range f.Variants {
			vp := fmt.Sprintf("variants[%d]", i)
			if v.ID != "" {
				a.add(name, vp+".id", "the persona is new, so its variants are too: remove the id")
				continue
			}
			vpl := a.planVariant(name, vp, base, v, nil, i)
			vpl.notes = a.planNotes(name, vp+".notes", v.Notes, nil, time.Time{})
			plan.variants = append(plan.variants, vpl)
		}
		plan.notes = a.planNotes(name, "notes", f.Notes, nil, time.Time{})
		plan.write = true
		plan.change = TreeChange{File: name, Persona: c.Name, Action: "create"}
		for _, vp := range plan.variants {
			plan.change.Parts = append(plan.change.Parts, PartChange{Kind: "variant", Action: "create", What: a.variantName(vp.in.CustomerID, vp.in.CustomerLabel)})
			for range vp.notes {
				plan.change.Parts = append(plan.change.Parts, PartChange{Kind: "note", Action: "create", What: "note on the " + a.variantName(vp.in.CustomerID, vp.in.CustomerLabel) + " variant"})
			}
		}
		for range plan.notes {
			plan.change.Parts = append(plan.change.Parts, PartChange{Kind: "note", Action: "create", What: "note"})
		}
		a.plans = append(a.plans, plan)
		return nil
	}

	cur, err := s.store.GetPersona(ctx, orgID, f.ID)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		a.add(name, "id", "no persona "+f.ID+" in this organisation; remove the id to create a new persona")
		return nil
	} else if err != nil {
		return err
	}
	if f.TemplateID != cur.TemplateID || f.TemplateVersion != cur.TemplateVersion {
		a.add(name, "template_version", "a file cannot change the template or its version; upgrade the persona in the app")
		return nil
	}
	ver, err := s.version(ctx, orgID, cur.TemplateID, cur.TemplateVersion)
	if err != nil {
		return err
	}
	next := persona.Content{Name: f.Name, Summary: f.Summary, GroupID: f.GroupID, Status: f.Status, OwnerID: cur.OwnerID,
		TemplateVersion: cur.TemplateVersion, Values: persona.CloneValues(f.Values), Dimensions: persona.CloneValues(f.Dimensions), Retired: cur.Retired,
		LastReviewedOn: f.LastReviewedOn, ReviewIntervalDays: f.ReviewIntervalDays}
	if err := persona.ValidateContent(ver.Definition, &next); err != nil {
		for _, fe := range fieldsOf(err) {
			a.add(name, fe.Field, fe.Message)
		}
		return nil
	}
	if owner := a.emails[cur.OwnerID]; !strings.EqualFold(f.OwnerEmail, owner) {
		a.add(name, "owner_email", "the owner is changed in the app, not from files (the file must say "+strconv.Quote(owner)+")")
	}
	if !sameValue(f.Retired, cur.Retired) {
		a.add(name, "retired", "retired values are kept by the app when a persona is upgraded; a file cannot change them")
	}
	changes := persona.Diff(ver.Definition, cur.Content, next)
	stale := func() {
		a.add(name, "revision", "the file was written at revision "+strconv.Itoa(f.Revision)+
			" but the persona is at revision "+strconv.Itoa(cur.Revision)+"; export again and redo the edit")
	}
	if len(changes) > 0 {
		if f.Revision != cur.Revision {
			stale() // and go on: every stale part is named at once
		}
		plan.write, plan.ifRev = true, cur.Revision
	}
	// A variant or note created up to the file's as_of was in the file
	// when it was written, so its absence is an edit. (A file without as_of
	// cannot tell, and leaves such variants and notes alone.)
	since := f.AsOf
	live, err := s.store.ListVariants(ctx, orgID, cur.ID)
	if err != nil {
		return err
	}
	byID := map[string]persona.Variant{}
	for _, v := range live {
		byID[v.ID] = v
	}
	inFile := map[string]bool{}
	for i, v := range f.Variants {
		vp := fmt.Sprintf("variants[%d]", i)
		if v.ID == "" {
			plan.variants = append(plan.variants, a.planVariant(name, vp, cur, v, nil, i))
			continue
		}
		if inFile[v.ID] {
			a.add(name, vp+".id", "the same variant twice")
			continue
		}
		inFile[v.ID] = true
		curV, ok := byID[v.ID]
		if !ok {
			a.add(name, vp+".id", "no variant "+v.ID+" of this persona here (deleted, or in the trash); remove the id to add it as a new variant")
			continue
		}
		plan.variants = append(plan.variants, a.planVariant(name, vp, cur, v, &curV, i))
	}
	for _, v := range live {
		if !inFile[v.ID] && !since.IsZero() && !v.CreatedAt.After(since) {
			a.add(name, "variants", "the "+a.variantName(v.CustomerID, v.CustomerLabel)+" variant ("+v.ID+") is missing from the file: variants are deleted in the app "+
				"(they go to the trash), not by removing them from a file; put it back, or export again if it was added since")
		}
	}
	curNotes, err := s.store.ListNotes(ctx, orgID, persona.NoteOnPersona, cur.ID)
	if err != nil {
		return err
	}
	plan.notes = a.planNotes(name, "notes", f.Notes, curNotes, since)
	for i := range plan.variants {
		vp := &plan.variants[i]
		var vn []persona.Note
		if vp.id != "" {
			if vn, err = s.store.ListNotes(ctx, orgID, persona.NoteOnVariant, vp.id); err != nil {
				return err
			}
		}
		vp.notes = a.planNotes(name, fmt.Sprintf("variants[%d].notes", vp.idx), f.Variants[vp.idx].Notes, vn, since)
	}

	plan.change = TreeChange{File: name, Persona: next.Name, ID: cur.ID, Action: "unchanged", Changes: changes}
	if len(changes) > 0 {
		plan.change.Action = "update"
	}
	for i, vp := range plan.variants {
		what := a.variantName(vp.in.CustomerID, vp.in.CustomerLabel)
		if vp.id == "" {
			plan.change.Parts = append(plan.change.Parts, PartChange{Kind: "variant", Action: "create", What: what})
		} else if vp.ifRev > 0 {
			plan.change.Parts = append(plan.change.Parts, PartChange{Kind: "variant", Action: "update", What: what, Fields: vp.fields})
		}
		for _, np := range plan.variants[i].notes {
			plan.change.Parts = append(plan.change.Parts, notePart(np, "note on the "+what+" variant"))
		}
	}
	for _, np := range plan.notes {
		plan.change.Parts = append(plan.change.Parts, notePart(np, "note"))
	}
	if len(plan.change.Parts) > 0 {
		plan.change.Action = "update"
	}
	a.plans = append(a.plans, plan)
	return nil
}

func notePart(np notePlan, what string) PartChange {
	if np.id == "" {
		return PartChange{Kind: "note", Action: "create", What: what}
	}
	return PartChange{Kind: "note", Action: "update", What: what + " " + np.id, Fields: []string{"body"}}
}

// variantName says whom a variant is for.
func (a *treeApply) variantName(customerID, label string) string {
	if customerID != "" {
		if p, err := a.s.store.GetPersona(a.ctx, a.org.ID, customerID); err == nil {
			return p.Name
		}
		return "customer " + customerID
	}
	return label
}

// planVariant checks one variant of a file against the base persona; cur
// is the stored variant (nil: the file adds one). It returns the plan; a
// variant that needs no write has ifRev 0 and an ID.
func (a *treeApply) planVariant(file, path string, base persona.Persona, v VariantFile, cur *persona.Variant, idx int) variantPlan {
	p := a.checkVariant(file, path, base, v, cur)
	p.idx = idx
	return p
}

func (a *treeApply) checkVariant(file, path string, base persona.Persona, v VariantFile, cur *persona.Variant) variantPlan {
	in := VariantInput{CustomerID: v.CustomerID, CustomerLabel: v.CustomerLabel, Note: v.Note, Values: persona.CloneValues(v.Values),
		Dimensions: persona.CloneValues(v.Dimensions), FieldNotes: v.FieldNotes, Message: "Applied from " + file}
	prev := persona.VariantContent{}
	if cur != nil {
		prev = cur.VariantContent
	}
	c, err := a.s.variantContent(a.ctx, a.org.ID, base, in, prev)
	if err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
			for _, fe := range fieldsOf(err) {
				a.add(file, path+"."+fe.Field, fe.Message)
			}
			return variantPlan{}
		}
		a.errs = append(a.errs, persona.FieldError{Field: file + ": " + path, Message: err.Error()})
		return variantPlan{}
	}
	if cur == nil {
		if len(v.BaseAtOverride) > 0 {
			a.add(file, path+".base_at_override", "is recorded by the app when an override is saved; a new variant cannot set it")
		}
		return variantPlan{in: in}
	}
	p := variantPlan{id: cur.ID, in: in}
	if !sameValue(v.BaseAtOverride, cur.BaseAtOverride) {
		a.add(file, path+".base_at_override", "is recorded by the app (what the base said when each override was made); a file cannot change it")
	}
	p.fields = variantFields(VariantFile{ExportVariant: persona.ExportVariant{CustomerID: c.CustomerID, CustomerLabel: c.CustomerLabel, Note: c.Note,
		Values: c.Values, Dimensions: c.Dimensions, FieldNotes: c.FieldNotes}}, *cur)
	if len(p.fields) == 0 {
		return p
	}
	if v.Revision != cur.Revision {
		a.add(file, path+".revision", "the file was written at variant revision "+strconv.Itoa(v.Revision)+
			" but the variant is at revision "+strconv.Itoa(cur.Revision)+"; export again and redo the edit")
		return variantPlan{}
	}
	p.ifRev = cur.Revision
	return p
}

// variantFields lists what differs between a file's variant and the
// stored one.
func variantFields(v VariantFile, cur persona.Variant) []string {
	var out []string
	if v.CustomerID != cur.CustomerID || v.CustomerLabel != cur.CustomerLabel {
		out = append(out, "customer")
	}
	if strings.TrimSpace(v.Note) != cur.Note {
		out = append(out, "note")
	}
	keys := func(a, b persona.Values) []string {
		var ks []string
		for k := range a {
			ks = append(ks, k)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				ks = append(ks, k)
			}
		}
		slices.Sort(ks)
		return ks
	}
	for _, k := range keys(v.Values, cur.Values) {
		if !sameValue(v.Values[k], cur.Values[k]) {
			out = append(out, "values."+k)
		}
	}
	for _, k := range keys(v.Dimensions, cur.Dimensions) {
		if !sameValue(v.Dimensions[k], cur.Dimensions[k]) {
			out = append(out, "dimensions."+k)
		}
	}
	if !sameValue(v.FieldNotes, cur.FieldNotes) {
		out = append(out, "field_notes")
	}
	return out
}

// planNotes checks the notes of a file against the stored ones (cur) and
// plans the creates and updates. since is the moment the file is known to
// reflect: a stored note created before it and missing from the file was
// removed from the file.
func (a *treeApply) planNotes(file, path string, notes []persona.ExportNote, cur []persona.Note, since time.Time) []notePlan {
	byID := map[string]persona.Note{}
	for _, n := range cur {
		byID[n.ID] = n
	}
	var out []notePlan
	inFile := map[string]bool{}
	for i, n := range notes {
		np := fmt.Sprintf("%s[%d]", path, i)
		body, err := persona.ValidateNoteBody(n.Body)
		if err != nil {
			for _, fe := range fieldsOf(err) {
				a.add(file, np+".body", fe.Message)
			}
			continue
		}
		if n.ID == "" {
			if !n.CreatedAt.IsZero() || !n.UpdatedAt.IsZero() || n.AuthorEmail != "" && !strings.EqualFold(n.AuthorEmail, a.actor.Email) {
				a.add(file, np, "a new note (no id) gets its author and times from the app; give only its body")
				continue
			}
			out = append(out, notePlan{body: body})
			continue
		}
		if inFile[n.ID] {
			a.add(file, np+".id", "the same note twice")
			continue
		}
		inFile[n.ID] = true
		c, ok := byID[n.ID]
		if !ok {
			a.add(file, np+".id", "no note "+n.ID+" here (deleted?); remove the id, the author and the times to add it as a new note")
			continue
		}
		if !strings.EqualFold(n.AuthorEmail, a.emails[c.AuthorID]) {
			a.add(file, np+".author_email", "a note's author cannot be changed")
		}
		if !n.CreatedAt.Equal(c.CreatedAt) {
			a.add(file, np+".created_at", "is written by the app; it cannot be changed")
		}
		if !n.UpdatedAt.Equal(c.UpdatedAt) {
			a.add(file, np+".updated_at", "the note was changed at "+c.UpdatedAt.UTC().Format(time.RFC3339)+", after the file was written (or the time was edited); export again and redo the edit")
			continue
		}
		if body == c.Body {
			continue
		}
		if c.AuthorID != a.actor.UserID && !a.admin {
			a.add(file, np+".body", "only the note's author or an admin can change it")
			continue
		}
		out = append(out, notePlan{id: c.ID, body: body})
	}
	for _, n := range cur {
		if !inFile[n.ID] && !since.IsZero() && !n.CreatedAt.After(since) {
			a.add(file, path, "note "+n.ID+" is missing from the file: notes are deleted in the app, not by removing them from a file; put it back, or export again if it was added since")
		}
	}
	return out
}

// untracked names the live personas no file describes.
func (a *treeApply) untracked(seen map[string]string, res *TreeResult) error {
	for f := (persona.PersonaFilter{Limit: 1000}); ; {
		page, err := a.s.store.ListPersonas(a.ctx, a.org.ID, f)
		if err != nil {
			return err
		}
		for _, p := range page {
			if _, ok := seen[p.ID]; !ok {
				res.Untracked = append(res.Untracked, p.Name)
			}
		}
		if len(page) < f.Limit {
			return nil
		}
		f.After = page[len(page)-1].ID
	}
}

// write carries out one file's plan and records the file as it now is.
func (a *treeApply) write(p *filePlan) error {
	ctx, s, slug := a.ctx, a.s, a.org.Slug
	id := p.change.ID
	switch {
	case p.write && id == "":
		created, err := s.CreatePersona(ctx, a.actor, slug, p.in)
		if err != nil {
			return err
		}
		id, p.change.ID = created.ID, created.ID
	case p.write:
		in := p.in
		in.TemplateID, in.TemplateVersion = "", 0
		if _, err := s.UpdatePersona(ctx, a.actor, slug, id, p.ifRev, in); err != nil {
			return err
		}
	}
	note := func(target persona.NoteTarget, targetID string, np notePlan) error {
		var err error
		if np.id == "" {
			_, err = s.AddNote(ctx, a.actor, slug, target, targetID, np.body)
		} else {
			_, err = s.UpdateNote(ctx, a.actor, slug, np.id, np.body)
		}
		return err
	}
	for _, vp := range p.variants {
		vid := vp.id
		switch {
		case vid == "":
			v, err := s.CreateVariant(ctx, a.actor, slug, id, vp.in)
			if err != nil {
				return err
			}
			vid = v.ID
		case vp.ifRev > 0:
			if _, err := s.UpdateVariant(ctx, a.actor, slug, vid, vp.ifRev, vp.in); err != nil {
				return err
			}
		}
		for _, np := range vp.notes {
			if err := note(persona.NoteOnVariant, vid, np); err != nil {
				return err
			}
		}
	}
	for _, np := range p.notes {
		if err := note(persona.NoteOnPersona, id, np); err != nil {
			return err
		}
	}
	if p.change.Action == "unchanged" {
		return nil
	}
	cur, err := s.store.GetPersona(ctx, a.org.ID, id)
	if err != nil {
		return err
	}
	ep, vs, err := s.exportPersona(ctx, a.org.ID, cur, a.emails)
	if err != nil {
		return err
	}
	f := personaFile(cur, ep, vs)
	if err := s.refsAsSlugs(ctx, a.org.ID, &f, a.refSlugs); err != nil {
		return err
	}
	p.change.Written = &f
	return nil
}

// sameValue compares two values by their JSON form; empty and missing
// read the same.
func sameValue(a, b any) bool {
	norm := func(v any) string {
		raw, _ := json.Marshal(v)
		switch s := string(raw); s {
		case "{}", "[]", `""`, "null":
			return "null"
		default:
			return s
		}
	}
	return norm(a) == norm(b)
}
