package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Persona-as-code files are YAML made from the JSON form (so keys are the
// API's names), with keys in sorted order: the same data always writes the
// same bytes, and an edit shows as a minimal diff.

func writeYAML(path string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(tree); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// readYAML reads a file written by writeYAML (or edited by hand) strictly:
// unknown keys are errors.
func readYAML(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return fmt.Errorf("%s: malformed YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return persona.Errorf(persona.CodeInvalid, "%s: %v", path, err)
	}
	return nil
}

// fileNames gives each item a stable, readable file name: the slug of its
// name, with the start of its ID when two names collide.
func fileNames(names, ids []string) []string {
	count := map[string]int{}
	slugs := make([]string, len(names))
	for i, n := range names {
		slugs[i] = persona.Slugify(n)
		if slugs[i] == "" {
			slugs[i] = "item"
		}
		count[slugs[i]]++
	}
	out := make([]string, len(names))
	for i, s := range slugs {
		if count[s] > 1 {
			s += "-" + ids[i][len(ids[i])-8:]
		}
		out[i] = s + ".yaml"
	}
	return out
}

// writeTree writes an organisation's persona-as-code directory, removing
// files of personas and templates that no longer exist.
func writeTree(dir string, t app.CodeTree) (int, error) {
	for _, sub := range []string{"templates", "personas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return 0, err
		}
		old, _ := filepath.Glob(filepath.Join(dir, sub, "*.yaml"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return 0, err
			}
		}
	}
	n := 0
	if err := writeYAML(filepath.Join(dir, "organisation.yaml"), t.Org); err != nil {
		return n, err
	}
	n++
	var names, ids []string
	for _, tm := range t.Templates {
		names, ids = append(names, tm.Name), append(ids, tm.ID)
	}
	for i, f := range fileNames(names, ids) {
		if err := writeYAML(filepath.Join(dir, "templates", f), t.Templates[i]); err != nil {
			return n, err
		}
		n++
	}
	names, ids = nil, nil
	for _, p := range t.Personas {
		names, ids = append(names, p.Name), append(ids, p.ID)
	}
	for i, f := range fileNames(names, ids) {
		if err := writeYAML(filepath.Join(dir, "personas", f), t.Personas[i]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// applyDir applies the persona files of dir to the organisation org.
func applyDir(cmd *cobra.Command, g *globals, org, dir string, dryRun bool) error {
	if err := required("org", org); err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(dir, "personas", "*.yaml"))
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return persona.Errorf(persona.CodeInvalid, "%s has no personas/*.yaml files", dir)
	}
	files := map[string]app.PersonaFile{}
	for _, p := range paths {
		var f app.PersonaFile
		if err := readYAML(p, &f); err != nil {
			return err
		}
		files[filepath.Join("personas", filepath.Base(p))] = f
	}
	db, svc, err := g.open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	changes, err := svc.ApplyTree(cmd.Context(), app.System, org, files, dryRun)
	if err != nil {
		return err
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].File < changes[j].File })
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.Action]++
		if c.Action == "unchanged" {
			continue
		}
		fmt.Fprintf(g.stdout, "%s %s (%s)\n", c.Action, c.Persona, c.File)
		for _, ch := range c.Changes {
			label := ch.Label
			if label == "" {
				label = ch.Path
			}
			fmt.Fprintf(g.stdout, "  %s %s\n", ch.Kind, label)
		}
	}
	verb := "applied"
	if dryRun {
		verb = "would apply (dry run, nothing written)"
	}
	fmt.Fprintf(g.stdout, "%s: %d updated, %d created, %d unchanged\n", verb, counts["update"], counts["create"], counts["unchanged"])
	return nil
}
