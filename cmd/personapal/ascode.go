package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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
	return writeFileReplacing(path, buf.Bytes())
}

// writeFileReplacing writes data to path through a temporary file in the
// same directory and a rename: a reader never sees half a file, and a
// symbolic link at path is replaced, never followed.
func writeFileReplacing(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readYAML reads a file written by writeYAML (or edited by hand) strictly:
// unknown keys are errors, and every error names the file and its line.
func readYAML(path, name string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := persona.DecodeYAML(data, v); err != nil {
		return persona.Errorf(persona.CodeInvalid, "%s: %s", name, describe(err))
	}
	return nil
}

// refuseLink fails when path is a symbolic link (or, when it exists, not
// of the kind wanted): export --dir deletes and writes files, and import
// --dir writes revisions back, so neither follows a link out of the
// directory it was given.
func refuseLink(path string, wantDir bool) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return persona.Errorf(persona.CodeInvalid, "%s is a symbolic link: persona-as-code writes and deletes files only in a real directory, "+
			"and never follows links (give the directory the link points to, if that is what you mean)", path)
	case wantDir && !fi.IsDir():
		return persona.Errorf(persona.CodeInvalid, "%s is not a directory", path)
	case !wantDir && !fi.Mode().IsRegular():
		return persona.Errorf(persona.CodeInvalid, "%s is not a regular file", path)
	}
	return nil
}

// yamlFiles lists the *.yaml files of dir (which must not be a link, nor
// hold links).
func yamlFiles(dir string) ([]string, error) {
	if err := refuseLink(dir, true); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := refuseLink(p, false); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// safeName is a slug usable as a file name, or "item".
func safeName(s string) string {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") {
		return "item"
	}
	return s
}

// fileNames gives each item a stable, readable file name: the slug of its
// name, with the end of its ID when two names collide.
func fileNames(names, ids []string) []string {
	count := map[string]int{}
	slugs := make([]string, len(names))
	for i, n := range names {
		slugs[i] = safeName(persona.Slugify(n))
		count[slugs[i]]++
	}
	out := make([]string, len(names))
	for i, s := range slugs {
		if count[s] > 1 {
			tail := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' {
					return r
				}
				return -1
			}, ids[i])
			s += "-" + tail[max(0, len(tail)-8):]
		}
		out[i] = s + ".yaml"
	}
	return out
}

// writeTree writes an organisation's persona-as-code directory, removing
// files of personas and templates that no longer exist. It refuses, before
// writing anything, a directory, subdirectory or file that is a symbolic
// link.
func writeTree(dir string, t app.CodeTree) (int, error) {
	if err := refuseLink(dir, true); err != nil {
		return 0, err
	}
	if err := refuseLink(filepath.Join(dir, "organisation.yaml"), false); err != nil {
		return 0, err
	}
	old := map[string]bool{}
	for _, sub := range []string{"templates", "personas"} {
		files, err := yamlFiles(filepath.Join(dir, sub))
		if err != nil {
			return 0, err
		}
		for _, f := range files {
			old[f] = true
		}
	}
	for _, sub := range []string{"templates", "personas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return 0, err
		}
	}
	n := 0
	write := func(path string, v any) error {
		delete(old, path)
		if err := writeYAML(path, v); err != nil {
			return err
		}
		n++
		return nil
	}
	if err := write(filepath.Join(dir, "organisation.yaml"), t.Org); err != nil {
		return n, err
	}
	var names, ids []string
	for _, tm := range t.Templates {
		names, ids = append(names, tm.Name), append(ids, tm.ID)
	}
	for i, f := range fileNames(names, ids) {
		if err := write(filepath.Join(dir, "templates", f), t.Templates[i]); err != nil {
			return n, err
		}
	}
	names, ids = nil, nil
	for _, p := range t.Personas {
		names, ids = append(names, p.Name), append(ids, p.ID)
	}
	for i, f := range fileNames(names, ids) {
		if err := write(filepath.Join(dir, "personas", f), t.Personas[i]); err != nil {
			return n, err
		}
	}
	for f := range old { // files of personas and templates that are gone
		if err := os.Remove(f); err != nil {
			return n, err
		}
	}
	return n, nil
}

// maxYAMLErrors is how many bad files one import --dir reports.
const maxYAMLErrors = 20

// applyDir applies the persona-as-code directory dir to the organisation
// org, and writes the new revisions back into the files it applied.
func applyDir(cmd *cobra.Command, g *globals, org, dir string, dryRun bool) error {
	if err := required("org", org); err != nil {
		return err
	}
	if err := refuseLink(dir, true); err != nil {
		return err
	}
	paths, err := yamlFiles(filepath.Join(dir, "personas"))
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return persona.Errorf(persona.CodeInvalid, "%s has no personas/*.yaml files", dir)
	}
	tmplPaths, err := yamlFiles(filepath.Join(dir, "templates"))
	if err != nil {
		return err
	}
	var problems []string
	bad := func(err error) {
		if len(problems) < maxYAMLErrors {
			problems = append(problems, describe(err))
		} else if len(problems) == maxYAMLErrors {
			problems = append(problems, "… and more")
		}
	}
	files := app.TreeFiles{Personas: map[string]app.PersonaFile{}, Templates: map[string]persona.ExportTemplate{}}
	orgPath := filepath.Join(dir, "organisation.yaml")
	if err := refuseLink(orgPath, false); err != nil {
		return err
	}
	if _, err := os.Stat(orgPath); err == nil {
		var o persona.ExportOrgInfo
		if err := readYAML(orgPath, "organisation.yaml", &o); err != nil {
			bad(err)
		} else {
			files.Org, files.OrgFile = &o, "organisation.yaml"
		}
	}
	for _, p := range tmplPaths {
		name := filepath.Join("templates", filepath.Base(p))
		var t persona.ExportTemplate
		if err := readYAML(p, name, &t); err != nil {
			bad(err)
			continue
		}
		files.Templates[name] = t
	}
	for _, p := range paths {
		name := filepath.Join("personas", filepath.Base(p))
		var f app.PersonaFile
		if err := readYAML(p, name, &f); err != nil {
			bad(err)
			continue
		}
		files.Personas[name] = f
	}
	if len(problems) > 0 {
		return persona.Errorf(persona.CodeInvalid, "nothing was applied:\n  %s", strings.Join(problems, "\n  "))
	}
	db, svc, err := g.open(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := svc.ApplyTree(cmd.Context(), app.System, org, files, dryRun)
	// What was applied is written back (nothing is applied after a failure).
	for _, c := range res.Changes {
		if c.Written != nil {
			if werr := writeYAML(filepath.Join(dir, c.File), c.Written); werr != nil && err == nil {
				err = fmt.Errorf("%s was applied, but its new revision could not be written back: %w", c.File, werr)
			}
		}
	}
	if err != nil {
		return err
	}
	changes := res.Changes
	sort.Slice(changes, func(i, j int) bool { return changes[i].File < changes[j].File })
	counts := map[string]int{}
	parts := map[string]int{}
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
		for _, p := range c.Parts {
			parts[p.Action+" "+p.Kind]++
			line := "  " + p.Action + " " + p.What
			if len(p.Fields) > 0 {
				line += ": " + strings.Join(p.Fields, ", ")
			}
			fmt.Fprintln(g.stdout, line)
		}
	}
	verb := "applied"
	if dryRun {
		verb = "would apply (dry run, nothing written)"
	}
	fmt.Fprintf(g.stdout, "%s: %d updated, %d created, %d unchanged", verb, counts["update"], counts["create"], counts["unchanged"])
	if len(parts) > 0 {
		var ps []string
		for _, k := range []string{"update variant", "create variant", "update note", "create note"} {
			if parts[k] > 0 {
				ps = append(ps, fmt.Sprintf("%d %s", parts[k], strings.Replace(k, " ", "d ", 1)+plural(parts[k])))
			}
		}
		fmt.Fprintf(g.stdout, " (%s)", strings.Join(ps, ", "))
	}
	fmt.Fprintln(g.stdout)
	if !dryRun && (counts["update"] > 0 || counts["create"] > 0) {
		fmt.Fprintf(g.stdout, "wrote the new revisions back into the %d applied files\n", counts["update"]+counts["create"])
	}
	if len(res.Untracked) > 0 {
		fmt.Fprintf(g.stdout, "%d personas of %s have no file here and were left as they are: %s\n", len(res.Untracked), org, strings.Join(res.Untracked, ", "))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
