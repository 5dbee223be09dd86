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
	Records  int
	Created  int
	DryRun   bool
	Preview  []Preview
}

// Importer imports foreign records into one organisation.
type Importer struct {
	Svc   *app.Service
	Actor app.Actor
	Org   string
	// Batch writes the personas; nil means the service (one transaction).
	Batch BatchCreator
	// MaxErrors stops validation after that many problems (default 100).
	MaxErrors int
	// Progress, when set, is called every 1000 records of each pass.
	Progress func(pass string, records int)
	// Message is the revision message of created personas.
	Message string
}

// Open opens the input; the importer opens it twice (validate, then write).
type Open func() (io.ReadCloser, error)

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
	taken, err := im.existingNames(ctx)
	if err != nil {
		return Report{}, err
	}
	maxErr := im.MaxErrors
	if maxErr <= 0 {
		maxErr = 100
	}
	rep := Report{Template: tmpl.Name, Version: version.Version, Group: group.Name, DryRun: dryRun}
	base := app.PersonaInput{GroupID: group.ID, TemplateID: tmpl.ID, TemplateVersion: version.Version, Message: im.Message}

	// Pass 1: validate everything, keep at most maxErr problems.
	ierr := &ImportError{}
	seen := map[string]string{} // name key → where, for this file
	err = im.each(open, format, plan, "validating", func(rec Record, in app.PersonaInput, probs []Problem) bool {
		rep.Records++
		c := persona.Content{Name: in.Name, Summary: in.Summary, Status: in.Status, Values: in.Values, Dimensions: in.Dimensions}
		if verr := persona.ValidateContent(version.Definition, &c); verr != nil {
			probs = append(probs, plan.problems(rec.Where, verr)...)
		}
		if c.Name != "" {
			// The same name, not the same slug: a slug folds and drops
			// what a name keeps (王芳 and 李娜 are different people).
			key := persona.NameKey(c.Name)
			if prev, ok := seen[key]; ok {
				probs = append(probs, Problem{Where: rec.Where, Source: plan.source("name"), Field: "name",
					Message: fmt.Sprintf("duplicate persona %q: %s has the same name", c.Name, prev)})
			} else if name, ok := taken[key]; ok {
				probs = append(probs, Problem{Where: rec.Where, Source: plan.source("name"), Field: "name",
					Message: fmt.Sprintf("persona %q already exists in the organisation (as %q)", c.Name, name)})
			} else {
				seen[key] = rec.Where
			}
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
	if err != nil {
		return rep, err
	}
	if len(ierr.Problems) > 0 {
		return rep, ierr
	}
	if dryRun {
		return rep, nil
	}

	// Pass 2: map again and write.
	creator := im.Batch
	if creator == nil {
		creator = im.Svc // one transaction: all or nothing
	}
	inputs := func(yield func(app.PersonaInput, error) bool) {
		n := 0
		err := im.each(open, format, plan, "writing", func(rec Record, in app.PersonaInput, probs []Problem) bool {
			n++
			if len(probs) > 0 {
				return yield(app.PersonaInput{}, fmt.Errorf("the input changed after validation: %s", probs[0]))
			}
			full := base
			full.Name, full.Summary, full.Status, full.Values, full.Dimensions = in.Name, in.Summary, in.Status, in.Values, in.Dimensions
			return yield(full, nil)
		})
		if err == nil && n != rep.Records {
			err = fmt.Errorf("the input changed after validation: %d records, then %d", rep.Records, n)
		}
		if err != nil {
			yield(app.PersonaInput{}, err)
		}
	}
	rep.Created, err = creator.CreatePersonas(ctx, im.Actor, im.Org, inputs)
	return rep, err
}

// each streams the input through the plan. fn returns false to stop.
func (im *Importer) each(open Open, format string, plan *Plan, pass string, fn func(Record, app.PersonaInput, []Problem) bool) error {
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
		in, probs := plan.Map(rec)
		if !fn(rec, in, probs) {
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
	in := app.PersonaInput{Values: persona.Values{}, Dimensions: persona.Values{}}
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
	return in, probs
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

// existingNames maps the NameKey of every live persona's name to the name.
func (im *Importer) existingNames(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	cursor := ""
	for {
		page, err := im.Svc.ListPersonas(ctx, im.Actor, im.Org, persona.PersonaFilter{Limit: app.MaxPageSize}, cursor)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			out[persona.NameKey(p.Name)] = p.Name
		}
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
