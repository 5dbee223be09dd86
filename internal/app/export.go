package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// importStore is the part of Store that imports whole organisations.
type importStore interface {
	// ImportOrg creates an organisation with everything in the batch, in
	// one transaction.
	ImportOrg(ctx context.Context, b persona.ImportBatch) error
}

// ExportOrg exports an organisation as one self-contained document
// (admins). Lists are in ID order, so the same data exports identically.
func (s *Service) ExportOrg(ctx context.Context, actor Actor, slug string) (persona.OrgExport, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.OrgExport{}, err
	}
	e := persona.OrgExport{Format: persona.ExportFormat, Version: persona.ExportDocVersion, ExportedAt: s.timestamp(),
		Org: persona.ExportOrgInfo{Name: org.Name, Slug: org.Slug}, Groups: []persona.ExportGroup{},
		Templates: []persona.ExportTemplate{}, Personas: []persona.ExportPersona{}, Notes: []persona.ExportNote{}, Evidence: []persona.ExportEvidence{}, Launchpads: []persona.ExportLaunchpad{},
		Alignment: persona.ExportAlignment{Links: []persona.ExportLink{}, Claims: []persona.ExportClaim{}}}
	if e.DivergencePoints, err = s.store.DivergencePoints(ctx, org.ID); err != nil {
		return e, err
	}
	members, err := s.store.ListMembers(ctx, org.ID)
	if err != nil {
		return e, err
	}
	emails := map[string]string{}
	for _, m := range members {
		emails[m.UserID] = m.Email
	}
	notes := func(target persona.NoteTarget, id string) ([]persona.ExportNote, error) {
		return s.exportNotes(ctx, org.ID, target, id, emails)
	}
	if e.Notes, err = notes(persona.NoteOnOrg, ""); err != nil {
		return e, err
	}
	if e.Notes == nil {
		e.Notes = []persona.ExportNote{}
	}
	groups, err := s.store.ListGroups(ctx, org.ID)
	if err != nil {
		return e, err
	}
	for _, g := range groups {
		eg := persona.ExportGroup{ID: g.ID, Name: g.Name, Description: g.Description}
		if eg.Notes, err = notes(persona.NoteOnGroup, g.ID); err != nil {
			return e, err
		}
		e.Groups = append(e.Groups, eg)
	}
	templates, err := s.store.ListTemplates(ctx, org.ID)
	if err != nil {
		return e, err
	}
	for _, t := range templates {
		et := persona.ExportTemplate{ID: t.ID, Name: t.Name, ProfileType: t.ProfileType, Description: t.Description, Draft: t.Draft, Versions: []persona.ExportVersion{}}
		vs, err := s.store.ListVersions(ctx, org.ID, t.ID)
		if err != nil {
			return e, err
		}
		slices.SortFunc(vs, func(a, b persona.TemplateVersion) int { return a.Version - b.Version })
		for _, v := range vs {
			et.Versions = append(et.Versions, persona.ExportVersion{Version: v.Version, PublishedAt: v.PublishedAt, Definition: v.Definition})
		}
		e.Templates = append(e.Templates, et)
	}
	var personas []persona.Persona
	for f := (persona.PersonaFilter{Limit: 1000}); ; {
		page, err := s.store.ListPersonas(ctx, org.ID, f)
		if err != nil {
			return e, err
		}
		personas = append(personas, page...)
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	photos, err := s.store.PersonaPhotoVersions(ctx, org.ID)
	if err != nil {
		return e, err
	}
	byExt, err := s.store.PersonaExternalIDs(ctx, org.ID)
	if err != nil {
		return e, err
	}
	externalIDs := map[string]string{} // persona ID → external ID
	for ext, id := range byExt {
		externalIDs[id] = ext
	}
	for _, p := range personas {
		ep, _, err := s.exportPersona(ctx, org.ID, p, emails)
		if err != nil {
			return e, err
		}
		if photos[p.ID] != "" {
			f, err := s.store.GetPersonaImage(ctx, org.ID, p.ID, persona.PhotoImage, photo.Large)
			if err != nil {
				return e, err
			}
			ep.Photo = f.Data
		}
		if ep.Images, err = s.exportImages(ctx, org.ID, p.ID, ep); err != nil {
			return e, err
		}
		ws, err := s.store.ListWorkLinks(ctx, org.ID, p.ID)
		if err != nil {
			return e, err
		}
		ep.ExternalID = externalIDs[p.ID]
		for _, w := range ws {
			ep.WorkLinks = append(ep.WorkLinks, persona.ExportWorkLink{ID: w.ID, URL: w.URL, Title: w.Title, Kind: w.Kind,
				CreatedAt: w.CreatedAt, CreatedEmail: emails[w.CreatedBy]})
		}
		persona.SortPersona(&ep)
		e.Personas = append(e.Personas, ep)
	}
	if e.Evidence, err = s.exportEvidence(ctx, org.ID); err != nil {
		return e, err
	}
	cat, err := s.store.GetCatalogue(ctx, org.ID)
	if err != nil {
		return e, err
	}
	if cat.Revision > 0 {
		cat.Revision, cat.UpdatedAt, cat.UpdatedBy = 0, time.Time{}, ""
		e.Catalogue = &cat
	}
	lps, err := s.store.ListLaunchpads(ctx, org.ID, "")
	if err != nil {
		return e, err
	}
	for _, l := range lps {
		e.Launchpads = append(e.Launchpads, persona.ExportLaunchpad{ID: l.ID, LaunchpadContent: l.LaunchpadContent})
	}
	links, err := s.store.ListAlignmentLinks(ctx, org.ID, "")
	if err != nil {
		return e, err
	}
	for _, l := range links {
		e.Alignment.Links = append(e.Alignment.Links, persona.ExportLink{ID: l.ID, BuyerID: l.BuyerID, TargetID: l.TargetID})
	}
	claims, err := s.store.ListClaimMappings(ctx, org.ID, "")
	if err != nil {
		return e, err
	}
	for _, m := range claims {
		e.Alignment.Claims = append(e.Alignment.Claims, persona.ExportClaim{ID: m.ID, BuyerID: m.BuyerID, ClaimField: m.ClaimField,
			Claim: m.Claim, UserID: m.UserID, UserField: m.UserField, UserItem: m.UserItem, Verdict: m.Verdict, Note: m.Note})
	}
	persona.SortExport(&e)
	if err := s.record(ctx, s.entry(org.ID, actor, "export", "organisation", org.ID, fmt.Sprintf("%d personas", len(e.Personas)))); err != nil {
		return persona.OrgExport{}, err
	}
	return e, nil
}

// exportNotes lists the notes on a target as exported (authors by email).
func (s *Service) exportNotes(ctx context.Context, orgID string, target persona.NoteTarget, id string, emails map[string]string) ([]persona.ExportNote, error) {
	ns, err := s.store.ListNotes(ctx, orgID, target, id)
	if err != nil {
		return nil, err
	}
	var out []persona.ExportNote
	for _, n := range ns {
		out = append(out, persona.ExportNote{ID: n.ID, Body: n.Body, AuthorEmail: emails[n.AuthorID], CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt})
	}
	return out, nil
}

// exportPersona is one persona as exported, with its live variants and the
// notes on it and on them (owner and authors by email), and the variants as
// stored.
func (s *Service) exportPersona(ctx context.Context, orgID string, p persona.Persona, emails map[string]string) (persona.ExportPersona, []persona.Variant, error) {
	ep := persona.ExportPersona{ID: p.ID, TemplateID: p.TemplateID, TemplateVersion: p.TemplateVersion, GroupID: p.GroupID,
		Name: p.Name, Summary: p.Summary, Status: p.Status, OwnerEmail: emails[p.OwnerID], Values: nonNilValues(p.Values),
		Dimensions: nonNilValues(p.Dimensions), Retired: p.Retired, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	vs, err := s.store.ListVariants(ctx, orgID, p.ID)
	if err != nil {
		return ep, nil, err
	}
	for _, v := range vs {
		ev := persona.ExportVariant{ID: v.ID, CustomerID: v.CustomerID, CustomerLabel: v.CustomerLabel, Note: v.Note,
			Values: nonNilValues(v.Values), Dimensions: nonNilValues(v.Dimensions), FieldNotes: v.FieldNotes, BaseAtOverride: v.BaseAtOverride}
		if ev.Notes, err = s.exportNotes(ctx, orgID, persona.NoteOnVariant, v.ID, emails); err != nil {
			return ep, nil, err
		}
		ep.Variants = append(ep.Variants, ev)
	}
	if ep.Notes, err = s.exportNotes(ctx, orgID, persona.NoteOnPersona, p.ID, emails); err != nil {
		return ep, nil, err
	}
	return ep, vs, nil
}

// exportEvidence reads the whole library with files and visible links.
func (s *Service) exportEvidence(ctx context.Context, orgID string) ([]persona.ExportEvidence, error) {
	out := []persona.ExportEvidence{}
	for f := (persona.EvidenceFilter{Limit: 200}); ; {
		items, err := s.store.ListEvidence(ctx, orgID, f)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			ev := persona.ExportEvidence{ID: it.ID, Kind: it.Kind, Title: it.Title, Source: it.Source, CollectedOn: it.CollectedOn,
				Tags: it.Tags, Summary: it.Summary, URL: it.URL, Quote: it.Quote, Speaker: it.Speaker, Method: it.Method, Participants: it.Participants}
			if len(ev.Tags) == 0 {
				ev.Tags = nil
			}
			if it.File != nil {
				data, err := s.store.GetEvidenceFile(ctx, orgID, it.ID)
				if err != nil {
					return nil, err
				}
				ev.File = &persona.ExportFile{Name: it.File.Name, ContentType: it.File.ContentType, Data: data}
			}
			links, err := s.store.ListEvidenceLinks(ctx, orgID, persona.EvidenceLinkFilter{EvidenceID: it.ID})
			if err != nil {
				return nil, err
			}
			for _, l := range links {
				ev.Links = append(ev.Links, persona.ExportEvidenceLink{ID: l.ID, PersonaID: l.PersonaID, VariantID: l.VariantID,
					Field: l.Field, Stance: l.Stance, Excerpt: l.Excerpt, Page: l.Page})
			}
			out = append(out, ev)
		}
		if len(items) < f.Limit {
			return out, nil
		}
		f.Before = items[len(items)-1].ID
	}
}

func nonNilValues(v persona.Values) persona.Values {
	if v == nil {
		return persona.Values{}
	}
	return v
}

// ImportReport says what an import created (or, in a dry run, would
// create), and what it had to change.
type ImportReport struct {
	Org       persona.Org
	DryRun    bool
	Groups    int
	Templates int
	Versions  int
	Personas  int
	Variants  int
	Notes     int
	Links     int
	Claims    int
	Evidence  int
	Photos    int
	Warnings  []string
}

// ImportOrg creates a new organisation from an export, owned by the caller,
// all or nothing. slug and name override the document's. Personas owned and
// notes written by someone other than the caller (by email) are assigned to
// the caller, with a warning: an import never adds other users. With dryRun
// nothing is written.
func (s *Service) ImportOrg(ctx context.Context, actor Actor, slug, name string, e persona.OrgExport, dryRun bool) (ImportReport, error) {
	if actor.UserID == "" {
		return ImportReport{}, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	if err := persona.ValidateExport(&e); err != nil {
		return ImportReport{}, err
	}
	if slug = strings.TrimSpace(slug); slug == "" {
		slug = e.Org.Slug
	}
	if name = strings.TrimSpace(name); name == "" {
		name = e.Org.Name
	} else if n, err := persona.ValidateName(name); err != nil {
		return ImportReport{}, persona.Invalid("invalid import", []persona.FieldError{{Field: "name", Message: err.Error()}})
	} else {
		name = n
	}
	if !persona.ValidSlug(slug) {
		return ImportReport{}, persona.Invalid("invalid import", []persona.FieldError{{Field: "slug", Message: "must be 1-63 lower-case letters, digits and hyphens"}})
	}
	now := s.timestamp()
	b := persona.ImportBatch{
		Org:              persona.Org{ID: newID(), Slug: slug, Name: name, CreatedAt: now},
		Owner:            persona.Member{UserID: actor.UserID, Role: persona.RoleOwner, CreatedAt: now},
		DivergencePoints: e.DivergencePoints,
	}
	rep := ImportReport{Org: b.Org, DryRun: dryRun}
	// Owners and authors keep their email only when it is the importer's:
	// an import must not make other users members of an organisation they
	// did not join. Everyone else's work is assigned to the importer.
	warned := map[string]bool{}
	userFor := func(email, what string) string {
		email = strings.ToLower(strings.TrimSpace(email))
		if email != "" && email != strings.ToLower(actor.Email) && !warned[email] {
			warned[email] = true
			rep.Warnings = append(rep.Warnings, what+" ("+email+") and everything else of theirs is assigned to you")
		}
		return actor.UserID
	}
	noteWrites := func(ns []persona.ExportNote, target persona.NoteTarget, targetID, personaID, variantID, groupID string) {
		for _, n := range ns {
			note := persona.Note{ID: n.ID, Target: target, TargetID: targetID, PersonaID: personaID, VariantID: variantID, GroupID: groupID,
				Body: n.Body, AuthorID: userFor(n.AuthorEmail, "note "+n.ID), CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
			if note.CreatedAt.IsZero() {
				note.CreatedAt = now
			}
			if note.UpdatedAt.IsZero() {
				note.UpdatedAt = note.CreatedAt
			}
			b.Notes = append(b.Notes, persona.NoteWrite{Note: note, Entry: noteEntry(note)})
		}
	}
	noteWrites(e.Notes, persona.NoteOnOrg, "", "", "", "")
	for _, g := range e.Groups {
		b.Groups = append(b.Groups, persona.Group{ID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: now, UpdatedAt: now})
		noteWrites(g.Notes, persona.NoteOnGroup, g.ID, "", "", g.ID)
	}
	types := map[string]persona.ProfileType{}
	for _, t := range e.Templates {
		types[t.ID] = t.ProfileType
		b.Templates = append(b.Templates, persona.Template{ID: t.ID, Name: t.Name, ProfileType: t.ProfileType, Description: t.Description,
			Draft: t.Draft, DraftUpdatedAt: now, CreatedAt: now, UpdatedAt: now})
		for _, v := range t.Versions {
			published := v.PublishedAt
			if published.IsZero() {
				published = now
			}
			b.Versions = append(b.Versions, persona.TemplateVersion{TemplateID: t.ID, Version: v.Version, Definition: v.Definition,
				PublishedAt: published, PublishedBy: actor.UserID})
		}
	}
	names := map[string]string{}
	for _, ep := range e.Personas {
		names[ep.ID] = ep.Name
	}
	// Photos are checked and re-encoded like uploads, before anything is
	// written: a picture that is not one refuses the import.
	photos := map[string][]persona.PhotoFile{}
	var workLinks []persona.WorkLink
	var photoErrs []persona.FieldError
	externalIDs := map[string]string{} // external ID → persona ID
	for i, ep := range e.Personas {
		where := fmt.Sprintf("personas[%d].external_id", i)
		switch ext := ep.ExternalID; {
		case ext == "":
		case len(ext) > 200 || strings.TrimSpace(ext) != ext:
			photoErrs = append(photoErrs, persona.FieldError{Field: where, Message: "must be at most 200 characters, without spaces around"})
		case externalIDs[ext] != "":
			photoErrs = append(photoErrs, persona.FieldError{Field: where, Message: "is the external ID of " + names[externalIDs[ext]] + " too"})
		default:
			externalIDs[ext] = ep.ID
		}
	}
	for i, ep := range e.Personas {
		if len(ep.Photo) == 0 {
			continue
		}
		files, err := s.photoFiles(ep.Photo, actor.UserID)
		if err != nil {
			photoErrs = append(photoErrs, persona.FieldError{Field: fmt.Sprintf("personas[%d].photo", i),
				Message: "the photo of " + ep.Name + " is not usable: " + refusedMessage(err)})
			continue
		}
		if photo.Stored(ep.Photo, photo.Large) { // as exported: kept byte for byte
			for i := range files {
				if files[i].Size == photo.Large {
					sum := sha256.Sum256(ep.Photo)
					files[i].Data, files[i].SHA256 = ep.Photo, hex.EncodeToString(sum[:])
				}
			}
		}
		photos[ep.ID] = files
	}
	images := map[string]map[string][]persona.PhotoFile{} // persona ID → image ID → sizes
	for i, ep := range e.Personas {
		for _, id := range slices.Sorted(maps.Keys(ep.Images)) {
			where := fmt.Sprintf("personas[%d].images.%s", i, id)
			if !persona.ValidImageID(id) {
				photoErrs = append(photoErrs, persona.FieldError{Field: where, Message: "is not an image ID (img_ and 32 hex digits)"})
				continue
			}
			files, err := s.importedImage(ep.Images[id], actor.UserID)
			if err != nil {
				photoErrs = append(photoErrs, persona.FieldError{Field: where, Message: "a picture of " + ep.Name + " is not usable: " + refusedMessage(err)})
				continue
			}
			if images[ep.ID] == nil {
				images[ep.ID] = map[string][]persona.PhotoFile{}
			}
			images[ep.ID][id] = files
		}
	}
	if err := persona.Invalid("the export's photos and pictures are not all usable; nothing was imported", photoErrs); err != nil {
		return rep, err
	}
	for _, ep := range e.Personas {
		owner := userFor(ep.OwnerEmail, "owner of "+ep.Name)
		p := persona.Persona{ID: ep.ID, TemplateID: ep.TemplateID, ProfileType: types[ep.TemplateID], Content: ep.Content(),
			Revision: 1, CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
		p.OwnerID = owner
		b.Personas = append(b.Personas, persona.PersonaWrite{Persona: p, Revision: revisionOf(p, "Imported"), SearchText: persona.SearchText(p.Content)})
		for _, ev := range ep.Variants {
			v := persona.Variant{ID: ev.ID, PersonaID: p.ID, VariantContent: ev.Content(), Revision: 1,
				CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
			customer := v.CustomerLabel
			if v.CustomerID != "" {
				customer = names[v.CustomerID]
			}
			entry := persona.SearchEntry{Kind: persona.EntryVariant, RefID: v.ID, PersonaID: p.ID, VariantID: v.ID,
				Title: p.Name + " at " + customer, Body: v.Note}
			b.Variants = append(b.Variants, persona.VariantWrite{Variant: v, Revision: variantRevisionOf(v, "Imported"), Entry: entry})
			noteWrites(ev.Notes, persona.NoteOnVariant, v.ID, p.ID, v.ID, "")
		}
		noteWrites(ep.Notes, persona.NoteOnPersona, p.ID, p.ID, "", "")
		for _, w := range ep.WorkLinks {
			l := persona.WorkLink{ID: w.ID, PersonaID: p.ID, URL: w.URL, Title: w.Title, Kind: w.Kind,
				CreatedAt: w.CreatedAt, CreatedBy: userFor(w.CreatedEmail, "work link "+w.ID)}
			if l.CreatedAt.IsZero() {
				l.CreatedAt = now
			}
			workLinks = append(workLinks, l)
		}
	}
	for _, ev := range e.Evidence {
		item := ev.Item()
		item.CreatedAt, item.CreatedBy, item.UpdatedAt, item.UpdatedBy = now, actor.UserID, now, actor.UserID
		var data []byte
		text := ""
		if ev.File != nil {
			f, err := persona.SniffUpload(ev.File.Name, ev.File.Data)
			if err != nil {
				return rep, err // ValidateExport checked it already
			}
			item.File, data = &f, ev.File.Data
			if isTextFile(f) {
				text = string(data)
			}
		}
		b.Evidence = append(b.Evidence, persona.EvidenceWrite{Evidence: item, Data: data, Entry: persona.EvidenceEntry(item, text)})
		for _, l := range ev.Links {
			b.EvidenceLinks = append(b.EvidenceLinks, persona.EvidenceLink{ID: l.ID, EvidenceID: ev.ID, PersonaID: l.PersonaID,
				VariantID: l.VariantID, Field: l.Field, Stance: l.Stance, Excerpt: l.Excerpt, Page: l.Page, CreatedAt: now, CreatedBy: actor.UserID})
		}
	}
	if e.Catalogue != nil {
		cat := *e.Catalogue
		cat.Revision, cat.UpdatedAt, cat.UpdatedBy = 1, now, actor.UserID
		b.Catalogue = &cat
	}
	for _, l := range e.Launchpads {
		lp := persona.Launchpad{ID: l.ID, LaunchpadContent: l.LaunchpadContent, Revision: 1, CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
		b.Launchpads = append(b.Launchpads, persona.LaunchpadWrite{Launchpad: lp,
			Revision: persona.LaunchpadRevision{LaunchpadID: lp.ID, Number: 1, AuthorID: actor.UserID, CreatedAt: now, Message: "Imported", Content: lp.LaunchpadContent}})
	}
	for _, l := range e.Alignment.Links {
		b.Links = append(b.Links, persona.AlignmentLink{ID: l.ID, BuyerID: l.BuyerID, TargetID: l.TargetID, CreatedAt: now, CreatedBy: actor.UserID})
	}
	for _, c := range e.Alignment.Claims {
		b.Claims = append(b.Claims, persona.ClaimMapping{ID: c.ID, BuyerID: c.BuyerID, ClaimField: c.ClaimField, Claim: c.Claim,
			UserID: c.UserID, UserField: c.UserField, UserItem: c.UserItem, Verdict: c.Verdict, Note: c.Note, CreatedAt: now, CreatedBy: actor.UserID})
	}
	rep.Groups, rep.Templates, rep.Versions, rep.Personas = len(b.Groups), len(b.Templates), len(b.Versions), len(b.Personas)
	rep.Variants, rep.Notes, rep.Links, rep.Claims = len(b.Variants), len(b.Notes), len(b.Links), len(b.Claims)
	rep.Evidence = len(b.Evidence)
	rep.Photos = len(photos)
	rep.Warnings = append(rep.Warnings, duplicateWarnings(b.Personas)...) // duplicates.go
	if dryRun {
		if free, err := s.slugFree(ctx, slug); err != nil {
			return rep, err
		} else if !free {
			return rep, persona.Errorf(persona.CodeConflict, "an organisation with the slug %q already exists", slug)
		}
		return rep, nil
	}
	forgetScope(ctx)
	entry := s.entry(b.Org.ID, actor, "import", "organisation", b.Org.ID, fmt.Sprintf("%d personas, %d templates", rep.Personas, rep.Templates))
	if err := s.inTx(ctx, entry, func(tx Store) error {
		if err := tx.ImportOrg(ctx, b); err != nil {
			return err
		}
		for _, ext := range slices.Sorted(maps.Keys(externalIDs)) {
			if err := tx.SetPersonaExternalID(ctx, b.Org.ID, externalIDs[ext], ext); err != nil {
				return err
			}
		}
		for _, l := range workLinks {
			l.OrgID = b.Org.ID
			if err := tx.CreateWorkLink(ctx, l); err != nil {
				return err
			}
		}
		for _, id := range slices.Sorted(maps.Keys(photos)) {
			if err := tx.PutPersonaImage(ctx, b.Org.ID, id, persona.PhotoImage, photos[id]); err != nil {
				return err
			}
		}
		for _, pid := range slices.Sorted(maps.Keys(images)) {
			for _, id := range slices.Sorted(maps.Keys(images[pid])) {
				if err := tx.PutPersonaImage(ctx, b.Org.ID, pid, id, images[pid][id]); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return rep, err
	}
	return rep, nil
}

// exportImages reads the pictures its image fields and its variants' name
// (the largest size); a value whose picture is not stored has none.
func (s *Service) exportImages(ctx context.Context, orgID, personaID string, ep persona.ExportPersona) (map[string][]byte, error) {
	ids := map[string]bool{}
	note := func(vs persona.Values) {
		for _, v := range vs {
			if id, ok := v.(string); ok && persona.ValidImageID(id) {
				ids[id] = true
			}
		}
	}
	note(ep.Values)
	for _, v := range ep.Variants {
		note(v.Values)
	}
	var out map[string][]byte
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		f, err := s.store.GetPersonaImage(ctx, orgID, personaID, id, photo.FitLarge)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string][]byte{}
		}
		out[id] = f.Data
	}
	return out, nil
}

// importedImage checks and fits an exported picture like an upload; one
// that is already what is stored (photo.StoredFit) keeps its bytes, so
// that an export → import → export round trip is identical.
func (s *Service) importedImage(data []byte, by string) ([]persona.PhotoFile, error) {
	_, files, err := s.fieldImageFiles(data, "picture", by)
	if err != nil {
		return nil, err
	}
	if photo.StoredFit(data) {
		for i := range files {
			if files[i].Size == photo.FitLarge {
				sum := sha256.Sum256(data)
				files[i].Data, files[i].SHA256 = data, hex.EncodeToString(sum[:])
			}
		}
	}
	return files, nil
}
