package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/interchange"
)

func personasCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "personas",
		Short: "Import personas from other tools (CSV, JSON, JSON Lines) and export a group as CSV",
	}
	cmd.AddCommand(personasImportCmd(g), personasExportCSVCmd(g))
	return cmd
}

func personasImportCmd(g *globals) *cobra.Command {
	var org, mapping, format, owner, mode string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import personas from a CSV, JSON or JSON Lines file with a mapping (all or nothing)",
		Long: "Import personas from another tool's CSV (with a header row), JSON (one array of records)\n" +
			"or JSON Lines file into the existing organisation --org. The mapping file (YAML or JSON)\n" +
			"names the template and group and where each field and dimension comes from: a CSV\n" +
			"column, a JSON path such as profile.role or goals[*].text, or a constant value; list\n" +
			"fields can be split at a separator. Every record is validated before anything is\n" +
			"written; errors name the row or record and the column or path. --dry-run validates and\n" +
			"previews the first personas without writing. Use - to read standard input.\n\n" +
			"--mode update (or mode: update in the mapping) matches records to live personas by the\n" +
			"mapping's external_id column or path, else by name, and writes a new revision of each\n" +
			"matched persona that changed (fields the mapping does not give are kept); the others are\n" +
			"created. Source columns and JSON keys the mapping does not read are listed as warnings.\n" +
			"Mapping options (several split separators, value maps, defaults, concatenation, bullet\n" +
			"stripping): docs/imports.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			if err := required("mapping", mapping); err != nil {
				return err
			}
			mf, err := os.Open(mapping)
			if err != nil {
				return err
			}
			m, err := interchange.ParseMapping(mf)
			mf.Close()
			if err != nil {
				return usageError{err.Error()}
			}
			if mode != "" {
				if mode != interchange.ModeCreate && mode != interchange.ModeUpdate {
					return usageError{"--mode must be create or update"}
				}
				m.Mode = mode
			}
			file := args[0]
			if file == "-" {
				// The importer reads its input twice (validate, then write):
				// spool standard input to a temporary file.
				tmp, err := os.CreateTemp("", "personapal-import-*")
				if err != nil {
					return err
				}
				defer os.Remove(tmp.Name())
				if _, err := io.Copy(tmp, os.Stdin); err != nil {
					tmp.Close()
					return err
				}
				tmp.Close()
				file = tmp.Name()
			} else if format == "" && m.Format == "" {
				switch strings.ToLower(filepath.Ext(file)) {
				case ".csv":
					format = interchange.FormatCSV
				case ".json":
					format = interchange.FormatJSON
				case ".jsonl", ".ndjson":
					format = interchange.FormatJSONL
				}
			}
			if _, err := os.Stat(file); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ownerID := ""
			if owner != "" {
				if ownerID, err = interchange.OwnerByEmail(cmd.Context(), svc, app.System, org, owner); err != nil {
					return err
				}
			}
			progress := false
			im := &interchange.Importer{Svc: svc, Actor: app.System, Org: org, OwnerID: ownerID,
				Message: "Imported from " + filepath.Base(args[0]),
				Progress: func(pass string, n int) {
					progress = true
					fmt.Fprintf(g.stderr, "\r%s %s records…", pass, thousands(n))
				}}
			rep, err := im.Import(cmd.Context(), m, format, func() (io.ReadCloser, error) { return os.Open(file) }, dryRun)
			if progress {
				fmt.Fprintln(g.stderr)
			}
			for _, w := range rep.Warnings {
				fmt.Fprintln(g.stderr, "warning: "+w)
			}
			if err != nil {
				return err
			}
			if rep.DryRun {
				if rep.Mode == interchange.ModeUpdate {
					fmt.Fprintf(g.stdout, "dry run, nothing written: of %s records, %s would update personas and %s would become new personas of %s (version %d) in group %s\n",
						thousands(rep.Records), thousands(rep.ToUpdate), thousands(rep.ToCreate), rep.Template, rep.Version, rep.Group)
				} else {
					fmt.Fprintf(g.stdout, "dry run, nothing written: %s records would become personas of %s (version %d) in group %s\n",
						thousands(rep.Records), rep.Template, rep.Version, rep.Group)
				}
				for _, p := range rep.Preview {
					var kv []string
					for _, f := range p.Fields {
						kv = append(kv, f.Key+"="+f.Value)
					}
					fmt.Fprintf(g.stdout, "  %s: %s [%s] %s\n", p.Where, p.Name, p.Status, strings.Join(kv, ", "))
				}
				return nil
			}
			if rep.Mode == interchange.ModeUpdate {
				fmt.Fprintf(g.stdout, "imported into %s: %s personas updated (a new revision each), %s unchanged, %s created in group %s\n",
					org, thousands(rep.Updated), thousands(rep.Unchanged), thousands(rep.Created), rep.Group)
				return nil
			}
			fmt.Fprintf(g.stdout, "imported %s personas of %s (version %d) into group %s of %s\n",
				thousands(rep.Created), rep.Template, rep.Version, rep.Group, org)
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	cmd.Flags().StringVar(&mapping, "mapping", "", "mapping file, YAML or JSON (required)")
	cmd.Flags().StringVar(&format, "format", "", "csv, json or jsonl (default: the mapping's format, else the file extension)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate and preview the first personas without writing")
	cmd.Flags().StringVar(&owner, "owner", "", "email of the member who owns the created personas (default: none, the command line)")
	cmd.Flags().StringVar(&mode, "mode", "", "create (refuse personas that exist) or update (new revisions of matched personas); default: the mapping's mode, else create")
	return cmd
}

func personasExportCSVCmd(g *globals) *cobra.Command {
	var org, group, out string
	var bom bool
	cmd := &cobra.Command{
		Use:   "export-csv",
		Short: "Export a group as CSV, one row per persona",
		Long: "Write one CSV row per persona of the group: name, summary, status, then every field and\n" +
			"dimension of the group's templates (dimension columns are prefixed dimension:), after a\n" +
			"header row. List items are joined with \"; \"; a \";\" or \"\\\" inside an item gets a backslash\n" +
			"before it, and a mapping with escaped: true reads the items back exactly. A cell that a\n" +
			"spreadsheet would run as a formula (starting with = + - @, a tab or a line break) starts\n" +
			"with a ' instead; personas import removes it again. --bom starts the file with a UTF-8\n" +
			"byte order mark, so that Excel reads it as UTF-8.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			if err := required("group", group); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			w := g.stdout
			var f *os.File
			if out != "" {
				if f, err = os.Create(out); err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			n, err := interchange.ExportGroupCSV(cmd.Context(), svc, app.System, org, group, w, interchange.CSVOptions{BOM: bom})
			if err != nil {
				if f != nil {
					f.Close()
					os.Remove(out)
				}
				return err
			}
			if f != nil {
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "exported %d personas of group %s to %s\n", n, group, out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	cmd.Flags().StringVar(&group, "group", "", "group name or ID (required)")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.Flags().BoolVar(&bom, "bom", false, "start the file with a UTF-8 byte order mark (for Excel)")
	return cmd
}

// thousands spells n with comma separators: 100000 → "100,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
