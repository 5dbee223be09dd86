package interchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// BatchCreator writes validated personas. An implementation backed by one
// store transaction makes the import all-or-nothing even if the process
// dies mid-write; it pulls inputs from the sequence so that memory stays
// bounded. The sequence stops early with an error when the input changed
// between the validation pass and the write pass.
type BatchCreator interface {
	CreatePersonas(ctx context.Context, actor app.Actor, orgSlug string, inputs iter.Seq2[app.PersonaInput, error]) (int, error)
}

// SequentialCreator creates personas one by one through the service. The
// importer validates every record before the first write, so bad input
// writes nothing; but a crash or a database failure in the middle of the
// write pass can leave a partial import behind.
type SequentialCreator struct{ Svc *app.Service }

// CreatePersonas implements BatchCreator.
func (c SequentialCreator) CreatePersonas(ctx context.Context, actor app.Actor, org string, inputs iter.Seq2[app.PersonaInput, error]) (int, error) {
	n := 0
	for in, err := range inputs {
		if err != nil {
			return n, err
		}
		if _, err := c.Svc.CreatePersona(ctx, actor, org, in); err != nil {
			return n, fmt.Errorf("after %d personas were written: %w", n, err)
		}
		n++
	}
	return n, nil
}

// Problem is one bad record value, or a bad record.
type Problem struct {
	Where   string // "row 7", "record 3", "line 12"
	Source  string // `column "Goals"`, `path "goals[*].text"`, "constant", or ""
	Field   string // "values.goals", "name", …
	Message string
}

func (p Problem) String() string {
	s := p.Where
	if p.Source != "" {
		s += ", " + p.Source
	}
	if p.Field != "" {
		s += ": " + p.Field
	}
	return s + ": " + p.Message
}

// ImportError lists the problems that stopped an import; nothing was
// written. It unwraps to an invalid *persona.Error.
type ImportError struct {
	Problems  []Problem
	Truncated bool // more problems than MaxErrors
}

func (e *ImportError) Error() string {
	var b strings.Builder
	more := ""
	if e.Truncated {
		more = " (stopped at the first " + fmt.Sprint(len(e.Problems)) + ")"
	}
	fmt.Fprintf(&b, "nothing was imported: %d problem(s)%s", len(e.Problems), more)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

func (e *ImportError) Unwrap() error {
	return &persona.Error{Code: persona.CodeInvalid, Message: e.Error()}
}

// Preview is one mapped persona shown by a dry run.
type Preview struct {
	Where  string
	Name   string
	Status persona.Status
	Fields []KV // the first few non-empty values, in template order
}

// KV is a labelled value in a preview.
type KV struct{ Key, Value string }

// Report summarises an import.
type Report struct {
	Template string // name
	Version  int
	Group    string // name
	Mode     string // create or update
	Records  int
	Created  int
	Updated  int
	// Unchanged counts matched personas whose content the import would not
	// change: they get no new revision.
	Unchanged int
	// ToCreate and ToUpdate say what the validation pass found: records
	// that become new personas, records that match one.
	ToCreate, ToUpdate int
	DryRun             bool
	Preview            []Preview
	// Rows are the first MaxReportRows records with what happens to each
	// and their problems (the web wizard's preview).
	Rows []RowReport
	// Warnings name the source columns and keys that were not mapped, and
	// the records that look like a persona already there or like each other.
	Warnings []string
}

// RowReport is one record of the validation pass.
type RowReport struct {
	Where    string
	Name     string
	Action   string // "create", "update" or "" when the record has problems
	Problems []Problem
}

// MaxReportRows bounds Report.Rows.
const MaxReportRows = 500

// Importer imports foreign records into one organisation.
type Importer struct {
	Svc   *app.Service
	Actor app.Actor
	Org   string
	// Batch writes the personas of a create-mode import without external
	// IDs; nil means the service (one transaction). Update mode and
	// external IDs always write through app.Service.ImportPersonas (one
	// transaction).
	Batch BatchCreator
	// MaxErrors stops validation after that many problems (default 100).
	MaxErrors int
	// Progress, when set, is called every 1000 records of each pass.
	Progress func(pass string, records int)
	// Message is the revision message of created and updated personas.
	Message string
	// OwnerID owns the created personas (a member's user ID); empty: the actor.
	OwnerID string
}

// Open opens the input; the importer opens it twice (validate, then write).
type Open func() (io.ReadCloser, error)

// existing is a live persona a record may match.
type existing struct {
	id   string
	name string
}

// match is a record matched to a persona by the validation pass.
type match struct {
	id  string
	rev int
}

// Import validates every record, then (unless dryRun) writes them all.
func (im *Importer) Import(ctx context.Context, m *Mapping, format string, open Open, dryRun bool) (Report, error) {
	if format == "" {
		format = m.Format
	}
	if format == "" {
		return Report{}, persona.Errorf(persona.CodeInvalid, "say which format the input is in: csv, json or jsonl")
	}
	tmpl, err := im.findTemplate(ctx, m.Template)
	if err != nil {
		return Report{}, err
	}
	if tmpl.LatestVersion <= 0 {
		return Report{}, persona.Errorf(persona.CodeInvalid, "mapping: template %q has no published version yet", tmpl.Name)
	}
	version, err := im.Svc.GetVersion(ctx, im.Actor, im.Org, tmpl.ID, tmpl.LatestVersion)
	if err != nil {
		return Report{}, err
	}
	group, err := im.findGroup(ctx, m.Group)
	if err != nil {
		return Report{}, err
	}
	plan, err := Compile(m, format, version.Definition)
	if err != nil {
		return Report{}, err
	}
	update := m.Mode == ModeUpdate
	_, hasExt := plan.byTgt["external_id"]
	taken, err := im.existingNames(ctx)
	if err != nil {
		return Report{}, err
	}
	var extIDs map[string]string
	if hasExt {
		if extIDs, err = im.Svc.PersonaExternalIDs(ctx, im.Actor, im.Org); err != nil {
			return Report{}, err
		}
	}
	maxErr := im.MaxErrors
	if maxErr <= 0 {
		maxErr = 100
	}
	mode := ModeCreate
	if update {
		mode = ModeUpdate
	}
	rep := Report{Template: tmpl.Name, Version: version.Version, Group: group.Name, DryRun: dryRun, Mode: mode}
	base := app.PersonaInput{GroupID: group.ID, TemplateID: tmpl.ID, TemplateVersion: version.Version, Message: im.Message, OwnerID: im.OwnerID}
	mapped := map[string]bool{}
	for _, r := range plan.rules {
		mapped[r.target] = true
	}
	versions := map[string]persona.Definition{fmt.Sprintf("%s@%d", tmpl.ID, version.Version): version.Definition}

	// Pass 1: validate everything, keep at most maxErr problems.
	ierr := &ImportError{}
	seen := map[string]string{}    // name key → where, for this file
	seenExt := map[string]string{} // external ID → where, for this file
	matches := map[int]match{}     // record index → persona to update
	var creates []persona.Persona  // records to create, for the look-alike warnings
	err = im.each(open, format, plan, "validating", func(rec Record, in app.PersonaInput, ext string, probs []Problem) bool {
		rep.Records++
		c := persona.Content{Name: in.Name, Summary: in.Summary, Status: in.Status, Values: in.Values, Dimensions: in.Dimensions}
		// Which live persona does the record match: by external ID, else
		// by name (the same name, not the same slug: a slug folds and
		// drops what a name keeps — 王芳 and 李娜 are different people).
		var target existing
		if ext != "" {
			if prev, ok := seenExt[ext]; ok {
				probs = append(probs, Problem{Where: rec.Where, Source: plan.source("external_id"), Field: "external_id",
					Message: fmt.Sprintf("duplicate external ID %q: %s has the same one", ext, prev)})
			} else {
				seenExt[ext] = rec.Where
			}
			if id, ok := extIDs[ext]; ok {
				target = existing{id: id}
				if !update {
					probs = append(probs, Problem{Where: rec.Where, Source: plan.source("external_id"), Field: "external_id",
						Message: fmt.Sprintf("a persona with external ID %q already exists (import in update mode to update it)", ext)})
				}
			}
		}
		key := ""
		if c.Name != "" {
			key = persona.NameKey(c.Name)
			if prev, ok := seen[key]; ok {
				probs = append(probs, Problem{Where: rec.Where, Source: plan.source("name"), Field: "name",
					Message: fmt.Sprintf("duplicate persona %q: %s has the same name", c.Name, prev)})
			} else {
				seen[key] = rec.Where
			}
			if e, ok := taken[key]; ok && target.id == "" {
				if update {
					target = e
				} else {
					probs = append(probs, Problem{Where: rec.Where, Source: plan.source("name"), Field: "name",
						Message: fmt.Sprintf("persona %q already exists in the organisation (as %q); import in update mode to update it", c.Name, e.name)})
				}
			}
		}
		action := "create"
		if update && target.id != "" {
			action = "update"
			cur, err := im.Svc.GetPersona(ctx, im.Actor, im.Org, target.id)
			if err != nil {
				probs = append(probs, Problem{Where: rec.Where, Message: err.Error()})
			} else if cur.TemplateID != tmpl.ID {
				probs = append(probs, Problem{Where: rec.Where, Field: "name",
					Message: fmt.Sprintf("matches persona %q, which uses another template than %q", cur.Name, tmpl.Name)})
			} else {
				vk := fmt.Sprintf("%s@%d", cur.TemplateID, cur.TemplateVersion)
				def, ok := versions[vk]
				if !ok {
					v, err := im.Svc.GetVersion(ctx, im.Actor, im.Org, cur.TemplateID, cur.TemplateVersion)
					if err != nil {
						probs = append(probs, Problem{Where: rec.Where, Message: err.Error()})
					}
					def, versions[vk] = v.Definition, v.Definition
				}
				merged := app.MergeImport(cur.Content, app.ImportInput{PersonaInput: in, Mapped: mapped})
				if verr := persona.ValidateContent(def, &merged); verr != nil {
					probs = append(probs, plan.problems(rec.Where, verr)...)
				}
				matches[rec.Index] = match{id: cur.ID, rev: cur.Revision}
			}
		} else if verr := persona.ValidateContent(version.Definition, &c); verr != nil {
			probs = append(probs, plan.problems(rec.Where, verr)...)
		}
		if len(probs) > 0 {
			action = ""
		} else if action == "update" {
			rep.ToUpdate++
		} else {
			rep.ToCreate++
			creates = append(creates, persona.Persona{ID: rec.Where, TemplateID: tmpl.ID, Content: c})
		}
		if len(rep.Rows) < MaxReportRows {
			rep.Rows = append(rep.Rows, RowReport{Where: rec.Where, Name: c.Name, Action: action, Problems: probs})
		}
		for _, p := range probs {
			if len(ierr.Problems) >= maxErr {
				ierr.Truncated = true
				return false
			}
			ierr.Problems = append(ierr.Problems, p)
		}
		if len(probs) == 0 && len(rep.Preview) < 5 {
			rep.Preview = append(rep.Preview, preview(rec.Where, version.Definition, c))
		}
		return true
	})
	rep.Warnings = plan.Warnings()
	if err != nil {
		return rep, err
	}
	if len(ierr.Problems) > 0 {
		return rep, ierr
	}
	// Records that look like a persona already there (or like each other)
	// are imported all the same: a warning, as on create.
	alike, err := im.Svc.ImportLookAlikes(ctx, im.Actor, im.Org, creates)
	if err != nil {
		return rep, err
	}
	rep.Warnings = append(rep.Warnings, alike...)
	if dryRun {
		return rep, nil
	}

	// Pass 2: map again and write.
	n := 0
	changed := func(err error) error {
		if err == nil && n != rep.Records {
			err = fmt.Errorf("the input changed after validation: %d records, then %d", rep.Records, n)
		}
		return err
	}
	if update || hasExt {
		inputs := func(yield func(app.ImportInput, error) bool) {
			err := im.each(open, format, plan, "writing", func(rec Record, in app.PersonaInput, ext string, probs []Problem) bool {
				n++
				if len(probs) > 0 {
					return yield(app.ImportInput{}, fmt.Errorf("the input changed after validation: %s", probs[0]))
				}
				full := base
				full.Name, full.Summary, full.Status, full.Values, full.Dimensions = in.Name, in.Summary, in.Status, in.Values, in.Dimensions
				it := app.ImportInput{PersonaInput: full, ExternalID: ext, Mapped: mapped}
				if mt, ok := matches[rec.Index]; ok {
					it.UpdateID, it.IfMatch = mt.id, mt.rev
					it.GroupID, it.TemplateID, it.TemplateVersion, it.OwnerID = "", "", 0, ""
				}
				return yield(it, nil)
			})
			if err = changed(err); err != nil {
				yield(app.ImportInput{}, err)
			}
		}
		counts, err := im.Svc.ImportPersonas(ctx, im.Actor, im.Org, inputs)
		rep.Created, rep.Updated, rep.Unchanged = counts.Created, counts.Updated, counts.Unchanged
		return rep, err
	}
	creator := im.Batch
	if creator == nil {
		creator = im.Svc // one transaction: all or nothing
	}
	inputs := func(yield func(app.PersonaInput, error) bool) {
		err := im.each(open, format, plan, "writing", func(rec Record, in app.PersonaInput, _ string, probs []Problem) bool {
			n++
			if len(probs) > 0 {
				return yield(app.PersonaInput{}, fmt.Errorf("the input changed after validation: %s", probs[0]))
			}
			full := base
			full.Name, full.Summary, full.Status, full.Values, full.Dimensions = in.Name, in.Summary, in.Status, in.Values, in.Dimensions
			return yield(full, nil)
		})
		if err = changed(err); err != nil {
			yield(app.PersonaInput{}, err)
		}
	}
	rep.Created, err = creator.CreatePersonas(ctx, im.Actor, im.Org, inputs)
	return rep, err
}

// each streams the input through the plan. fn returns false to stop.
func (im *Importer) each(open Open, format string, plan *Plan, pass string, fn func(Record, app.PersonaInput, string, []Problem) bool) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := NewReader(f, format)
	if err != nil {
		return wrapInput(err)
	}
	if c, ok := rd.(*csvReader); ok {
		if err := plan.bindHeader(c.cols, c.header); err != nil {
			return err
		}
	}
	n := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return wrapInput(err)
		}
		if rec.value != nil {
			plan.noteKeys(rec.value)
		}
		in, ext, probs := plan.mapRecord(rec)
		if !fn(rec, in, ext, probs) {
			return nil
		}
		n++
		if im.Progress != nil && n%1000 == 0 {
			im.Progress(pass, n)
		}
	}
}

func wrapInput(err error) error {
	var ie *InputError
	if errors.As(err, &ie) {
		return persona.Errorf(persona.CodeInvalid, "nothing was imported: %s", ie.Error())
	}
	return err
}

// Map turns a record into persona input (name, summary, status, values and
// dimensions) and lists the values it could not read.
func (p *Plan) Map(rec Record) (app.PersonaInput, []Problem) {
	in, _, probs := p.mapRecord(rec)
	return in, probs
}

// mapRecord is Map that also returns the record's external ID.
func (p *Plan) mapRecord(rec Record) (app.PersonaInput, string, []Problem) {
	in := app.PersonaInput{Values: persona.Values{}, Dimensions: persona.Values{}}
	ext := ""
	var probs []Problem
	for _, r := range p.rules {
		v, present, msg := r.extract(rec)
		if msg != "" {
			probs = append(probs, Problem{Where: rec.Where, Source: r.where(), Field: r.target, Message: msg})
			continue
		}
		if !present {
			continue
		}
		switch r.kind {
		case tExternalID:
			s, _ := scalarString(v)
			ext = strings.TrimSpace(s)
			if len(ext) > 200 {
				probs = append(probs, Problem{Where: rec.Where, Source: r.where(), Field: r.target, Message: "must be at most 200 characters"})
				ext = ""
			}
		case tName, tSummary, tStatus:
			s, _ := v.(string)
			if s == "" {
				s, _ = scalarString(v)
			}
			switch r.kind {
			case tName:
				in.Name = s
			case tSummary:
				in.Summary = s
			default:
				in.Status = persona.Status(strings.ToLower(strings.TrimSpace(s)))
			}
		case tField:
			in.Values[r.key] = v
		case tDimension:
			in.Dimensions[r.key] = v
		}
	}
	return in, ext, probs
}

func (p *Plan) source(target string) string {
	if r, ok := p.byTgt[target]; ok {
		return r.where()
	}
	return ""
}

// problems turns validation errors into problems naming the source.
func (p *Plan) problems(where string, err error) []Problem {
	e, ok := persona.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return []Problem{{Where: where, Message: err.Error()}}
	}
	out := make([]Problem, 0, len(e.Fields))
	for _, f := range e.Fields {
		msg := f.Message
		if _, mapped := p.byTgt[f.Field]; !mapped && msg == "is required" {
			msg = "is required, and the mapping gives no source for it"
		}
		out = append(out, Problem{Where: where, Source: p.source(f.Field), Field: f.Field, Message: msg})
	}
	return out
}

func preview(where string, def persona.Definition, c persona.Content) Preview {
	pv := Preview{Where: where, Name: c.Name, Status: c.Status}
	for _, k := range def.FieldKeys() {
		v, ok := c.Values[k]
		if !ok {
			continue
		}
		var s string
		switch x := v.(type) {
		case []string:
			s = strings.Join(x, "; ")
		default:
			s, _ = scalarString(x)
		}
		if r := []rune(s); len(r) > 60 {
			s = string(r[:59]) + "…"
		}
		pv.Fields = append(pv.Fields, KV{k, s})
		if len(pv.Fields) == 3 {
			break
		}
	}
	return pv
}

func (im *Importer) findTemplate(ctx context.Context, ref string) (persona.Template, error) {
	ts, err := im.Svc.ListTemplates(ctx, im.Actor, im.Org)
	if err != nil {
		return persona.Template{}, err
	}
	var names []string
	for _, t := range ts {
		if t.ID == ref || strings.EqualFold(t.Name, strings.TrimSpace(ref)) {
			return t, nil
		}
		names = append(names, fmt.Sprintf("%q", t.Name))
	}
	return persona.Template{}, persona.Errorf(persona.CodeInvalid, "mapping: template %q: no such template in organisation %s (templates: %s)", ref, im.Org, strings.Join(names, ", "))
}

func (im *Importer) findGroup(ctx context.Context, ref string) (persona.Group, error) {
	gs, err := im.Svc.ListGroups(ctx, im.Actor, im.Org)
	if err != nil {
		return persona.Group{}, err
	}
	var names []string
	for _, g := range gs {
		if g.ID == ref || strings.EqualFold(g.Name, strings.TrimSpace(ref)) {
			return g, nil
		}
		names = append(names, fmt.Sprintf("%q", g.Name))
	}
	return persona.Group{}, persona.Errorf(persona.CodeInvalid, "mapping: group %q: no such group in organisation %s (groups: %s)", ref, im.Org, strings.Join(names, ", "))
}

// existingNames maps the NameKey of every live persona's name to it.
func (im *Importer) existingNames(ctx context.Context) (map[string]existing, error) {
	out := map[string]existing{}
	cursor := ""
	for {
		page, err := im.Svc.ListPersonas(ctx, im.Actor, im.Org, persona.PersonaFilter{Limit: app.MaxPageSize}, cursor)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			out[persona.NameKey(p.Name)] = existing{id: p.ID, name: p.Name}
		}
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

// OwnerByEmail finds the member of the organisation with that email (the
// owner of imported personas) and returns the user ID.
func OwnerByEmail(ctx context.Context, svc *app.Service, actor app.Actor, org, email string) (string, error) {
	ms, err := svc.ListMembers(ctx, actor, org)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if strings.EqualFold(m.Email, strings.TrimSpace(email)) {
			return m.UserID, nil
		}
	}
	return "", persona.Invalid("invalid owner", []persona.FieldError{{Field: "owner",
		Message: fmt.Sprintf("%q is not a member of organisation %s", email, org)}})
}
