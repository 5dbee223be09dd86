package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
)

// Persona-as-code: an organisation as a directory of small YAML files, one
// per template and one per persona, so that changes show as minimal diffs in
// version control. The edges read and write the files; this file works out
// what a directory means for the organisation.

// PersonaFile is one persona's file: its exported content plus the
// revision it was written at, which guards against applying an edit made to
// an old copy.
type PersonaFile struct {
	Revision int `json:"revision"`
	persona.ExportPersona
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
	for _, ep := range e.Personas {
		p, err := s.store.GetPersona(ctx, org.ID, ep.ID)
		if err != nil {
			return CodeTree{}, err
		}
		t.Personas = append(t.Personas, PersonaFile{Revision: p.Revision, ExportPersona: ep})
	}
	return t, nil
}

// TreeChange is what applying one persona file does.
type TreeChange struct {
	File    string
	Persona string // name
	ID      string
	Action  string // "create", "update" or "unchanged"
	Changes []persona.Change
}

// ApplyTree applies persona files to an organisation (editors): a file with
// a known ID updates that persona when its content differs, a file without
// an ID creates a persona. Every file is checked first — values, groups,
// template versions, and that it was written at the persona's current
// revision — and nothing is written unless all pass. Variants and notes in
// the files are not applied (they have their own histories); templates are
// changed in the Template Builder, not from files. With dryRun nothing is
// written.
func (s *Service) ApplyTree(ctx context.Context, actor Actor, slug string, files map[string]PersonaFile, dryRun bool) ([]TreeChange, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	type plan struct {
		change TreeChange
		in     PersonaInput
		ifRev  int
	}
	var (
		plans []plan
		errs  []persona.FieldError
	)
	add := func(file, field, msg string) {
		path := file
		if field != "" {
			path += ": " + field
		}
		errs = append(errs, persona.FieldError{Field: path, Message: msg})
	}
	for _, name := range persona.SortedKeys(files) {
		f := files[name]
		in := PersonaInput{Name: f.Name, Summary: f.Summary, GroupID: f.GroupID, TemplateID: f.TemplateID, TemplateVersion: f.TemplateVersion,
			Status: f.Status, Values: f.Values, Dimensions: f.Dimensions, LastReviewedOn: f.LastReviewedOn,
			ReviewIntervalDays: f.ReviewIntervalDays, Message: "Applied from " + name}
		if f.GroupID == "" {
			add(name, "group_id", "is required")
			continue
		}
		if _, err := s.store.GetGroup(ctx, org.ID, f.GroupID); persona.ErrorCode(err) == persona.CodeNotFound {
			add(name, "group_id", "no group "+f.GroupID+" in this organisation")
			continue
		} else if err != nil {
			return nil, err
		}
		if f.ID == "" {
			ver, err := s.version(ctx, org.ID, f.TemplateID, f.TemplateVersion)
			if err != nil {
				add(name, "template_version", fmt.Sprintf("template %q has no version %d here", f.TemplateID, f.TemplateVersion))
				continue
			}
			c := persona.Content{Name: f.Name, Summary: f.Summary, Status: f.Status, Values: persona.CloneValues(f.Values), Dimensions: persona.CloneValues(f.Dimensions),
				LastReviewedOn: f.LastReviewedOn, ReviewIntervalDays: f.ReviewIntervalDays}
			if err := persona.ValidateContent(ver.Definition, &c); err != nil {
				for _, fe := range fieldsOf(err) {
					add(name, fe.Field, fe.Message)
				}
				continue
			}
			plans = append(plans, plan{change: TreeChange{File: name, Persona: f.Name, Action: "create"}, in: in})
			continue
		}
		cur, err := s.store.GetPersona(ctx, org.ID, f.ID)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			add(name, "id", "no persona "+f.ID+" in this organisation; remove the id to create a new persona")
			continue
		} else if err != nil {
			return nil, err
		}
		if f.TemplateID != cur.TemplateID || f.TemplateVersion != cur.TemplateVersion {
			add(name, "template_version", "a file cannot change the template or its version; upgrade the persona in the app")
			continue
		}
		ver, err := s.version(ctx, org.ID, cur.TemplateID, cur.TemplateVersion)
		if err != nil {
			return nil, err
		}
		next := persona.Content{Name: f.Name, Summary: f.Summary, GroupID: f.GroupID, Status: f.Status, OwnerID: cur.OwnerID,
			TemplateVersion: cur.TemplateVersion, Values: persona.CloneValues(f.Values), Dimensions: persona.CloneValues(f.Dimensions), Retired: cur.Retired,
			LastReviewedOn: f.LastReviewedOn, ReviewIntervalDays: f.ReviewIntervalDays}
		if err := persona.ValidateContent(ver.Definition, &next); err != nil {
			for _, fe := range fieldsOf(err) {
				add(name, fe.Field, fe.Message)
			}
			continue
		}
		changes := persona.Diff(ver.Definition, cur.Content, next)
		if len(changes) == 0 {
			plans = append(plans, plan{change: TreeChange{File: name, Persona: cur.Name, ID: cur.ID, Action: "unchanged"}})
			continue
		}
		if f.Revision != cur.Revision {
			add(name, "revision", "the file was written at revision "+strconv.Itoa(f.Revision)+
				" but the persona is at revision "+strconv.Itoa(cur.Revision)+"; export again and redo the edit")
			continue
		}
		plans = append(plans, plan{change: TreeChange{File: name, Persona: f.Name, ID: cur.ID, Action: "update", Changes: changes}, in: in, ifRev: cur.Revision})
	}
	if err := persona.Invalid("the directory cannot be applied", errs); err != nil {
		return nil, err
	}
	out := make([]TreeChange, 0, len(plans))
	for _, p := range plans {
		if !dryRun {
			switch p.change.Action {
			case "create":
				created, err := s.CreatePersona(ctx, actor, slug, p.in)
				if err != nil {
					return out, fmt.Errorf("%s: %w", p.change.File, err)
				}
				p.change.ID = created.ID
			case "update":
				in := p.in
				in.TemplateID, in.TemplateVersion = "", 0
				if _, err := s.UpdatePersona(ctx, actor, slug, p.change.ID, p.ifRev, in); err != nil {
					return out, fmt.Errorf("%s: %w", p.change.File, err)
				}
			}
		}
		out = append(out, p.change)
	}
	return out, nil
}
