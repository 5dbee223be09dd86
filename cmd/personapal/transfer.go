package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func exportCmd(g *globals) *cobra.Command {
	var org, format, out, dir string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export an organisation as one JSON or YAML document",
		Long: "Export everything an organisation holds — groups, templates with every published version,\n" +
			"personas with their customer variants and notes, alignment — as one document that\n" +
			"`personapal import` reads back without loss.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			if out != "" && format == "" {
				format = strings.TrimPrefix(filepath.Ext(out), ".")
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if dir != "" {
				tree, err := svc.ExportTree(cmd.Context(), app.System, org)
				if err != nil {
					return err
				}
				n, err := writeTree(dir, tree)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "exported %s as %d files to %s\n", org, n, dir)
				return nil
			}
			e, err := svc.ExportOrg(cmd.Context(), app.System, org)
			if err != nil {
				return err
			}
			w := g.stdout
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			if err := persona.EncodeExport(w, e, format); err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(g.stderr, "exported %s: %d groups, %d templates, %d personas to %s\n", org, len(e.Groups), len(e.Templates), len(e.Personas), out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	cmd.Flags().StringVar(&format, "format", "", "json or yaml (default: from --out's extension, else json)")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.Flags().StringVar(&dir, "dir", "", "write persona-as-code instead: one YAML file per template and per persona in this directory")
	return cmd
}

func importCmd(g *globals) *cobra.Command {
	var org, name, owner, format, dir string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import [FILE]",
		Short: "Create an organisation from an export (all or nothing)",
		Long: "Create a new organisation from a document written by `personapal export`, owned by --owner.\n" +
			"With --dir, apply a persona-as-code directory (written by `export --dir`) to the existing\n" +
			"organisation --org instead: changed personas are updated, files without an id create\n" +
			"personas, and a file edited against an old revision is refused.\n" +
			"The import is one transaction: on any error nothing is written. Personas owned and notes\n" +
			"written by others than --owner are assigned to --owner (a warning lists them): an import\n" +
			"never adds other users. Use - to read standard input.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir != "" {
				return applyDir(cmd, g, org, dir, dryRun)
			}
			if len(args) != 1 {
				return usageError{"give the file to import (or --dir)"}
			}
			if err := required("owner", owner); err != nil {
				return err
			}
			in := os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
				if format == "" {
					switch strings.ToLower(filepath.Ext(args[0])) {
					case ".yaml", ".yml":
						format = "yaml"
					case ".json":
						format = "json"
					}
				}
			}
			doc, err := persona.DecodeExport(in, format)
			if err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := svc.UserByEmail(cmd.Context(), owner)
			if err != nil {
				return fmt.Errorf("owner %s: %w", owner, err)
			}
			actor, err := svc.ActorFor(cmd.Context(), u.ID)
			if err != nil {
				return err
			}
			rep, err := svc.ImportOrg(cmd.Context(), actor, org, name, doc, dryRun)
			if err != nil {
				return err
			}
			verb := "imported"
			if rep.DryRun {
				verb = "would import (dry run, nothing written)"
			}
			fmt.Fprintf(g.stdout, "%s organisation %s: %d groups, %d templates (%d versions), %d personas, %d variants, %d notes, %d evidence items, %d alignment links, %d claim verdicts, %d photos\n",
				verb, rep.Org.Slug, rep.Groups, rep.Templates, rep.Versions, rep.Personas, rep.Variants, rep.Notes, rep.Evidence, rep.Links, rep.Claims, rep.Photos)
			for _, w := range rep.Warnings {
				fmt.Fprintf(g.stdout, "warning: %s\n", w)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "slug of the new organisation (default: the document's)")
	cmd.Flags().StringVar(&name, "name", "", "name of the new organisation (default: the document's)")
	cmd.Flags().StringVar(&owner, "owner", "", "email of the user who will own it (required)")
	cmd.Flags().StringVar(&format, "format", "", "json or yaml (default: from the file name or content)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the document and report what would be created, without writing")
	cmd.Flags().StringVar(&dir, "dir", "", "apply persona-as-code files from this directory to the existing organisation --org")
	return cmd
}
