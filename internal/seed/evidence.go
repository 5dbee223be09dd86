package seed

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/csvout"
	"github.com/personapal/personapal/internal/persona"
)

// demoEvidence adds the demo's evidence library and its links: an
// interview study, two quotes (one contradicting the System Lead), a link
// to the regulation, a Markdown synthesis and a small CSV of survey
// answers, attached at field level to the System Lead, the Compliance
// Analyst and the System Lead's Big Bank variant. ids maps demo persona
// keys to their IDs.
func demoEvidence(ctx context.Context, svc *app.Service, actor app.Actor, org string, ids map[string]string) error {
	lead, analyst := ids["system-lead"], ids["compliance-analyst"]
	if lead == "" || analyst == "" {
		return nil // a dataset without these personas gets no evidence
	}
	bigBankVariant := ""
	if vs, err := svc.ListVariants(ctx, actor, org, lead); err == nil {
		for _, v := range vs {
			if v.Variant.CustomerID != "" && v.Variant.CustomerID == ids["big-bank"] {
				bigBankVariant = v.Variant.ID
			}
		}
	} else {
		return err
	}

	type link struct {
		persona, variant, field string
		onVariant               bool // skipped when the variant is missing
		stance                  persona.Stance
		excerpt, page           string
	}
	add := func(in app.EvidenceInput, up *app.Upload, links ...link) error {
		var (
			e   persona.Evidence
			err error
		)
		if up != nil {
			e, err = svc.UploadEvidence(ctx, actor, org, in, *up)
		} else {
			e, err = svc.AddEvidence(ctx, actor, org, in)
		}
		if err != nil {
			return fmt.Errorf("evidence %q: %w", in.Title, err)
		}
		for _, l := range links {
			if l.persona == "" || (l.onVariant && l.variant == "") {
				continue
			}
			_, err := svc.LinkEvidence(ctx, actor, org, e.ID, app.EvidenceLinkInput{PersonaID: l.persona, VariantID: l.variant,
				Field: l.field, Stance: l.stance, Excerpt: l.excerpt, Page: l.page})
			if err != nil {
				return fmt.Errorf("evidence %q link to %s: %w", in.Title, l.field, err)
			}
		}
		return nil
	}

	if err := add(app.EvidenceInput{
		Kind: persona.EvidenceStudy, Title: "Reconciliation leads: contextual interviews",
		Source: "Ledgerline UX research", CollectedOn: "2026-09-14", Method: persona.MethodInterview, Participants: 9,
		Tags:    []string{"interviews", "operations", "month end"},
		Summary: "Nine 90-minute interviews with reconciliation system leads at six banks (three tier-1, two regional, one digital bank), most of them on site during the 06:30 morning check.\n\nStrongest themes: feed failures noticed too late, rule changes documented by hand for auditors, and month end as the peak of the year's stress.",
	}, nil,
		link{persona: lead, field: "values.jobs_to_be_done", stance: persona.StanceSupports, excerpt: "7 of 9 described rerunning a failed overnight batch before the 8:00 cut-off as their most stressful job.", page: "Findings, theme 1"},
		link{persona: lead, field: "values.workflows", stance: persona.StanceSupports, excerpt: "Observed the 06:30 run check at four of six sites.", page: "Observation log"},
		link{persona: lead, field: "values.pain_points", stance: persona.StanceSupports, page: "Findings, theme 2"},
		link{persona: analyst, field: "values.pain_points", stance: persona.StanceSupports, excerpt: "Second-line analysts joined three sessions and asked for an approver filter on the audit trail.", page: "Session 5"},
	); err != nil {
		return err
	}

	if err := add(app.EvidenceInput{
		Kind: persona.EvidenceQuote, Title: "“My own spreadsheet of every rule change”",
		Quote:   "I keep my own spreadsheet of every rule change, because the history in the tool is useless to the auditors. If they ask about March, I open my spreadsheet, not the system.",
		Speaker: "System lead, tier-1 bank (interview 4)", Source: "Reconciliation leads: contextual interviews", CollectedOn: "2026-09-10",
		Tags: []string{"interviews", "audit"},
	}, nil,
		link{persona: lead, field: "values.workarounds", stance: persona.StanceSupports},
		link{persona: lead, field: "values.pain_points", stance: persona.StanceSupports, excerpt: "the history in the tool is useless to the auditors"},
	); err != nil {
		return err
	}

	if err := add(app.EvidenceInput{
		Kind: persona.EvidenceQuote, Title: "“Twice a week, once the rules are tuned”",
		Quote:   "Once the rules are tuned I log in maybe twice a week. The exception queue emails me, and the clerks do the rest.",
		Speaker: "System lead, digital bank (interview 7)", Source: "Reconciliation leads: contextual interviews", CollectedOn: "2026-09-12",
		Tags:    []string{"interviews", "usage"},
		Summary: "Contradicts the daily-use assumption for leads at smaller, highly automated banks. Check against product analytics before the next review.",
	}, nil,
		link{persona: lead, field: "values.usage_frequency", stance: persona.StanceContradicts, excerpt: "I log in maybe twice a week"},
	); err != nil {
		return err
	}

	if err := add(app.EvidenceInput{
		Kind: persona.EvidenceWebLink, Title: "Digital Operational Resilience Act (DORA), Regulation (EU) 2022/2554",
		URL: "https://eur-lex.europa.eu/eli/reg/2022/2554/oj", Source: "EUR-Lex", CollectedOn: "2026-06-20",
		Tags:    []string{"regulation", "compliance"},
		Summary: "The regulation the Compliance Analyst works under: ICT risk management, incident reporting, and oversight of third-party providers such as Ledgerline.",
	}, nil,
		link{persona: analyst, field: "values.context", stance: persona.StanceSupports, page: "Articles 28–30"},
	); err != nil {
		return err
	}

	synthesis := `# Synthesis: month-end reconciliation

_Ledgerline UX research, September 2026_

## What we heard

- Month end takes **three to five days** at tier-1 banks; one day at the digital bank.
- Every lead keeps a private log of rule changes (spreadsheet, wiki page or e-mail folder).
- At big banks, change authority sits with the **change advisory board**: the system lead prepares
  and recommends, but does not decide.

## What it means for the System Lead persona

1. Keep "cut month end from four days to two" as a goal — it holds for the banks we sell to first.
2. Treat decision authority as *depends on the customer*: see the Big Bank variant.
3. The audit trail export is the feature most often asked for by name.
`
	if err := add(app.EvidenceInput{
		Title: "Synthesis: month-end reconciliation", Source: "Ledgerline UX research", CollectedOn: "2026-09-20",
		Tags: []string{"synthesis", "month end"},
	}, &app.Upload{Name: "month-end-synthesis.md", Content: strings.NewReader(synthesis)},
		link{persona: lead, field: "values.goals", stance: persona.StanceSupports, excerpt: "Month end takes three to five days at tier-1 banks", page: "What we heard"},
		link{persona: lead, field: "values.workflow_notes", stance: persona.StanceSupports},
		link{persona: lead, variant: bigBankVariant, onVariant: true, field: "values.decision_authority", stance: persona.StanceSupports,
			excerpt: "At big banks, change authority sits with the change advisory board", page: "What we heard"},
	); err != nil {
		return err
	}

	survey, err := surveyCSV()
	if err != nil {
		return err
	}
	return add(app.EvidenceInput{
		Title: "Rule-change survey: answers by bank", Source: "In-app survey, 42 respondents", CollectedOn: "2026-08-29",
		Tags:    []string{"survey", "audit"},
		Summary: "How leads document matching-rule changes today, and how long month end takes them.",
	}, &app.Upload{Name: "rule-change-survey.csv", Content: bytes.NewReader(survey)},
		link{persona: lead, field: "values.workarounds", stance: persona.StanceSupports, excerpt: "31 of 42 keep a personal log of rule changes"},
		link{persona: lead, field: "values.approval_required", stance: persona.StanceSupports},
	)
}

// surveyCSV is a tiny survey export: answers summed by kind of bank.
func surveyCSV() ([]byte, error) {
	rows := [][]string{
		{"bank_type", "respondents", "keeps_personal_change_log", "month_end_days_median", "four_eyes_on_rule_changes"},
		{"Tier-1 bank", "18", "16", "4", "18"},
		{"Regional bank", "11", "9", "3", "10"},
		{"Savings bank", "8", "5", "2.5", "6"},
		{"Digital bank / fintech", "5", "1", "1", "2"},
	}
	var buf bytes.Buffer
	w := csvout.NewWriter(&buf, csvout.Options{}) // the product's one CSV writer
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
