package interchange

import (
	"context"
	"io"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/csvout"
	"github.com/personapal/personapal/internal/persona"
)

// ListSeparator separates list items in an exported CSV cell; a backslash
// escapes ";" and "\" inside an item (csvout.JoinList), and a mapping
// with escaped: true reads the items back exactly.
const ListSeparator = csvout.ListSeparator

// CSVOptions configure a CSV export.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte order mark, so that Excel
	// reads it as UTF-8.
	BOM bool
}

// DimensionPrefix marks dimension columns in an exported CSV (a field and a
// dimension may share a key).
const DimensionPrefix = "dimension:"

// ExportGroupCSV writes one CSV row per live persona of a group (by ID or
// name): name, summary, status, then every field and dimension of the
// template versions the group's personas use (shared keys share a column),
// after a header row. Rows are written as they are read, a page at a time.
// Every cell goes through csvout (formula cells are neutralised, list items
// joined losslessly), so export-csv → personas import gives the same
// personas back. It returns the number of personas written.
func ExportGroupCSV(ctx context.Context, svc *app.Service, actor app.Actor, org, groupRef string, w io.Writer, opts CSVOptions) (int, error) {
	im := &Importer{Svc: svc, Actor: actor, Org: org}
	group, err := im.findGroup(ctx, groupRef)
	if err != nil {
		return 0, err
	}
	// Pass 1: the template versions in use give the columns.
	type tv struct {
		id string
		v  int
	}
	var fieldKeys, dimKeys []string
	haveField, haveDim := map[string]bool{}, map[string]bool{}
	done := map[tv]bool{}
	err = eachPersona(ctx, svc, actor, org, group.ID, func(p persona.Persona) error {
		k := tv{p.TemplateID, p.TemplateVersion}
		if done[k] {
			return nil
		}
		done[k] = true
		v, err := svc.GetVersion(ctx, actor, org, p.TemplateID, p.TemplateVersion)
		if err != nil {
			return err
		}
		for _, fk := range v.Definition.FieldKeys() {
			if !haveField[fk] {
				haveField[fk] = true
				fieldKeys = append(fieldKeys, fk)
			}
		}
		for _, d := range v.Definition.Dimensions {
			if !haveDim[d.Key] {
				haveDim[d.Key] = true
				dimKeys = append(dimKeys, d.Key)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	cw := csvout.NewWriter(w, csvout.Options{BOM: opts.BOM})
	header := []string{"name", "summary", "status"}
	header = append(header, fieldKeys...)
	for _, k := range dimKeys {
		header = append(header, DimensionPrefix+k)
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	n := 0
	row := make([]string, len(header))
	err = eachPersona(ctx, svc, actor, org, group.ID, func(p persona.Persona) error {
		row = row[:0]
		row = append(row, p.Name, p.Summary, string(p.Status))
		for _, k := range fieldKeys {
			row = append(row, cell(p.Values[k]))
		}
		for _, k := range dimKeys {
			row = append(row, cell(p.Dimensions[k]))
		}
		n++
		return cw.Write(row)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []string:
		return csvout.JoinList(x)
	case []any:
		items, _ := flatten(x)
		return csvout.JoinList(items)
	}
	s, _ := scalarString(v)
	return s
}

func eachPersona(ctx context.Context, svc *app.Service, actor app.Actor, org, groupID string, fn func(persona.Persona) error) error {
	cursor := ""
	for {
		page, err := svc.ListPersonas(ctx, actor, org, persona.PersonaFilter{GroupID: groupID, Limit: app.MaxPageSize}, cursor)
		if err != nil {
			return err
		}
		for _, p := range page.Items {
			if err := fn(p); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}
