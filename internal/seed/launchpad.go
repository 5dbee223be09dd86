package seed

import (
	"context"
	"fmt"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// demoLaunchpad adds the demo's product catalogue — Ledgerline, a
// reconciliation product — and one saved Launchpad for Big Bank. ids maps
// demo persona keys to their IDs.
func demoLaunchpad(ctx context.Context, svc *app.Service, actor app.Actor, org string, ids map[string]string) error {
	if _, err := svc.ReplaceCatalogue(ctx, actor, org, 0, DemoCatalogue()); err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	if ids["big-bank"] == "" {
		return nil
	}
	l, err := svc.CreateLaunchpad(ctx, actor, org, app.LaunchpadRequest{ArchetypeID: ids["big-bank"], Defaults: true},
		"Big Bank — tier-1 rollout", "Drafted with the bank's Head of Operations after the proof of concept. The CAB meets on Tuesdays; plan changes into production around it.")
	if err != nil {
		return fmt.Errorf("demo Launchpad: %w", err)
	}
	decisions := map[string]persona.Decision{
		"module:core-matching":      persona.DecisionAccepted,
		"module:approval-workflows": persona.DecisionAccepted,
		"module:mainframe-adapter":  persona.DecisionAccepted,
	}
	for ref := range decisions {
		if !containsRef(l.Recommendation.Refs(), ref) {
			delete(decisions, ref)
		}
	}
	_, err = svc.UpdateLaunchpad(ctx, actor, org, l.ID, l.Revision, app.LaunchpadUpdate{
		Name: l.Name, Notes: l.Notes, Decisions: decisions, Message: "Agreed the foundation with the bank",
		Plan: persona.PlanEdits{Phases: map[persona.Phase]persona.PhaseEdit{
			persona.PhasePilot: {Notes: "Pilot with the payments operations team in Frankfurt before the Q3 change freeze."},
		}},
	})
	if err != nil {
		return fmt.Errorf("demo Launchpad decisions: %w", err)
	}
	return nil
}

func containsRef(refs []string, ref string) bool {
	for _, r := range refs {
		if r == ref {
			return true
		}
	}
	return false
}

func when(field string, op persona.Op, value any) persona.Condition {
	return persona.Condition{Field: field, Op: op, Value: value}
}

func rule(weight float64, note string, conds ...persona.Condition) persona.Rule {
	return persona.Rule{Match: persona.MatchAll, Weight: weight, Note: note, Conditions: conds}
}

func anyOf(weight float64, note string, conds ...persona.Condition) persona.Rule {
	return persona.Rule{Match: persona.MatchAny, Weight: weight, Note: note, Conditions: conds}
}

// DemoCatalogue is Ledgerline's catalogue: what can be switched on for a
// bank or fintech, with the rules that say for whom.
func DemoCatalogue() persona.Catalogue {
	return persona.Catalogue{
		Modules: []persona.Module{
			{Key: "core-matching", Name: "Core matching engine", Phase: persona.PhaseFoundation, EffortDays: 15, Owner: "System Lead",
				Description: "Nightly and intraday matching of ledgers against statements, with tolerance rules and the exception queue.",
				DoneWhen:    "nightly matching runs are green for two consecutive weeks"},
			{Key: "statement-feeds", Name: "Bank statement feeds", DependsOn: []string{"core-matching"}, Phase: persona.PhaseFoundation, EffortDays: 8, Owner: "System Lead",
				Description: "SWIFT MT940 and camt.053 statement ingestion with format checks and late-feed alerts.",
				DoneWhen:    "every statement account arrives and is parsed before the matching run",
				Rules: []persona.Rule{anyOf(1, "", when("values.systems", persona.OpContains, "SWIFT"),
					when("values.industry", persona.OpOneOf, []string{"Banking", "Wealth management"}))}},
			{Key: "mainframe-adapter", Name: "Mainframe feed adapter", DependsOn: []string{"statement-feeds"}, Phase: persona.PhaseFoundation, EffortDays: 20, Owner: "System Lead",
				Description: "Fixed-width and EBCDIC batch files from the mainframe, with checksums and re-run support.",
				DoneWhen:    "every mainframe feed reconciles inside the batch window",
				Rules:       []persona.Rule{rule(1, "", when("values.systems", persona.OpContains, "mainframe"))}},
			{Key: "erp-connector", Name: "ERP connector (SAP, Oracle)", DependsOn: []string{"core-matching"}, EffortDays: 8, Owner: "System Lead",
				Description: "General-ledger extracts and postings back to the ERP.",
				Rules:       []persona.Rule{rule(1, "", when("values.systems", persona.OpOneOf, []string{"SAP", "Oracle", "Microsoft Dynamics"}))}},
			{Key: "crm-connector", Name: "CRM connector (Salesforce)", DependsOn: []string{"core-matching"}, EffortDays: 5,
				Description: "Customer and dispute context from the CRM on every break.",
				Rules:       []persona.Rule{rule(1, "", when("values.systems", persona.OpContains, "Salesforce"))}},
			{Key: "payment-connectors", Name: "Payment processor connectors", DependsOn: []string{"core-matching"}, Phase: persona.PhaseFoundation, EffortDays: 3, Owner: "System Lead",
				Description: "Stripe and Adyen settlement reports and webhooks.",
				Rules:       []persona.Rule{rule(1, "", when("values.systems", persona.OpOneOf, []string{"Stripe", "Adyen", "Checkout.com"}))}},
			{Key: "private-cloud-kit", Name: "Private-cloud deployment kit", Phase: persona.PhaseFoundation, EffortDays: 12, Owner: "System Lead",
				Description: "Helm charts, separate test/acceptance/production environments and data masking outside production.",
				DoneWhen:    "all three environments pass the bank's security review",
				Rules: []persona.Rule{anyOf(1, "data stays in the customer's own cloud",
					when("values.deployment_model", persona.OpOneOf, []string{"Private cloud", "On-premises", "Hybrid"}),
					when("values.data_residency", persona.OpEquals, "Country only"))}},
			{Key: "sandbox-api", Name: "Sandbox and API keys", Phase: persona.PhaseFoundation, EffortDays: 1,
				Description: "Self-serve sandbox, API keys on day one and a Terraform provider.",
				Rules: []persona.Rule{rule(1, "", when("values.deployment_model", persona.OpEquals, "SaaS"),
					when("dimensions.technical_comfort", persona.OpGTE, 4))}},
			{Key: "sso", Name: "Single sign-on (SAML, OIDC)", Phase: persona.PhaseFoundation, EffortDays: 3,
				Description: "Sign-in through the customer's identity provider, with role mapping.",
				Rules: []persona.Rule{anyOf(1, "", when("values.company_size", persona.OpOneOf, []string{"1001-10000", "10000+"}),
					when("values.security_review", persona.OpPresent, nil))}},
			{Key: "audit-trail", Name: "Audit trail and evidence export", DependsOn: []string{"core-matching"}, Phase: persona.PhaseFoundation, EffortDays: 6, Owner: "Compliance Analyst",
				Description: "Every match, override and approval recorded with who and why; exports auditors can read.",
				DoneWhen:    "an auditor can trace any override to its approver without IT's help",
				Rules: []persona.Rule{
					rule(2, "", when("values.regulated", persona.OpOneOf, []string{"Yes", "Partly"})),
					rule(1, "", when("dimensions.regulatory_pressure", persona.OpGTE, 4)),
				}},
			{Key: "approval-workflows", Name: "Approval workflows", DependsOn: []string{"audit-trail"}, Phase: persona.PhasePilot, EffortDays: 10, Owner: "Compliance Analyst",
				Description: "Four-eyes approval for manual matches above a threshold, write-offs and rule changes.",
				DoneWhen:    "every manual match above the threshold carries a second approver in the audit trail",
				MinScore:    2,
				Rules: []persona.Rule{
					rule(2, "four-eyes principle for manual matches and write-offs", when("dimensions.risk_tolerance", persona.OpLTE, 2)),
					rule(1, "", when("dimensions.regulatory_pressure", persona.OpGTE, 5)),
				}},
			{Key: "rules-studio", Name: "Matching rules studio", DependsOn: []string{"core-matching"}, Phase: persona.PhasePilot, EffortDays: 4, Owner: "System Lead",
				Description: "Build, test and promote matching rules without a release.",
				Rules:       []persona.Rule{rule(1, "", when("dimensions.technical_comfort", persona.OpGTE, 3))}},
			{Key: "ai-assistant", Name: "AI matching assistant", DependsOn: []string{"rules-studio", "audit-trail"}, Phase: persona.PhaseScale, EffortDays: 8, Owner: "System Lead",
				Description: "Suggests counterparts for unmatched items and drafts rules; every suggestion is logged with the human who accepted it.",
				DoneWhen:    "suggestion acceptance above 75% with no false matches in the sample",
				Rules: []persona.Rule{
					rule(2, "", when("dimensions.ai_adoption", persona.OpGTE, 3)),
					rule(-1, "", when("dimensions.risk_tolerance", persona.OpLTE, 1)),
				}},
			{Key: "analytics", Name: "Analytics and dashboards", DependsOn: []string{"core-matching"}, Phase: persona.PhasePilot, EffortDays: 5, Owner: "System Lead",
				Description: "Match rates, ageing and team workload, with role-based dashboards.",
				DoneWhen:    "each role opens its dashboard at least weekly"},
		},
		Packs: []persona.ContentPack{
			{Key: "month-end-playbook", Name: "Month-end close playbook", Modules: []string{"core-matching"}, Serves: []string{"System Lead", "Payments Operations Specialist"},
				Description: "Checklists, cut-off calendars and escalation paths for the month-end close."},
			{Key: "regulator-evidence-pack", Name: "Regulator evidence pack (DORA, EBA)", Modules: []string{"audit-trail"}, Serves: []string{"Compliance Analyst", "Audit Evidence Collector"},
				Description: "Evidence templates in the supervisors' formats, mapped to DORA and the EBA outsourcing guidelines.",
				Rules: []persona.Rule{anyOf(1, "", when("values.compliance_frameworks", persona.OpContains, "DORA"),
					when("values.compliance_frameworks", persona.OpContains, "EBA outsourcing guidelines"))}},
			{Key: "psd2-safeguarding-pack", Name: "PSD2 safeguarding rules", Modules: []string{"payment-connectors"}, Serves: []string{"System Lead", "Payments Operations Specialist"},
				Description: "Matching rules and daily safeguarding reconciliations for e-money and payment institutions.",
				Rules:       []persona.Rule{rule(1, "", when("values.compliance_frameworks", persona.OpContains, "PSD2"))}},
			{Key: "branch-cash-pack", Name: "Branch cash reconciliation templates", Modules: []string{"core-matching"}, Serves: []string{"Branch Manager"},
				Description: "Daily cash, ATM and vault reconciliations for branch networks.",
				Rules:       []persona.Rule{rule(1, "", when("values.key_personas", persona.OpContains, "Branch Manager"))}},
		},
		Dashboards: []persona.DashboardTemplate{
			{Key: "controls-cockpit", Name: "Controls cockpit", Roles: []string{"System Lead"}, Modules: []string{"approval-workflows"},
				Description: "For a System Lead who answers to auditors: what waits for a second pair of eyes, and who overrode what.",
				Widgets:     []string{"Approvals waiting for a second approver", "Manual overrides this week by approver", "Rule changes waiting for the CAB", "Audit trail exceptions"},
				Rules:       []persona.Rule{rule(1, "", when("dimensions.risk_tolerance", persona.OpLTE, 2))}},
			{Key: "automation-console", Name: "Automation console", Roles: []string{"System Lead"},
				Description: "For a System Lead who automates: rule performance, API health and deploys.",
				Widgets:     []string{"Auto-match rate by feed", "Rule performance", "API and webhook health", "Rule deploys this week"},
				Rules: []persona.Rule{rule(1, "", when("dimensions.technical_comfort", persona.OpGTE, 4),
					when("dimensions.risk_tolerance", persona.OpGTE, 3))}},
			{Key: "run-monitor", Name: "Matching run monitor", Roles: []string{"System Lead", "Mainframe Batch Operator"},
				Widgets: []string{"Tonight's runs", "Late feeds", "Unmatched items by age"}},
			{Key: "compliance-overview", Name: "Compliance overview", Roles: []string{"Compliance Analyst"}, Modules: []string{"audit-trail"},
				Widgets: []string{"Overrides without evidence", "Four-eyes breaches", "Open evidence requests", "Controls tested this quarter"}},
			{Key: "exception-queue", Name: "Exception queue", Roles: []string{"Payments Operations Specialist"},
				Widgets: []string{"My open breaks", "Suggested matches", "Breaks by age", "Items near the cut-off"}},
			{Key: "branch-close", Name: "Branch daily close", Roles: []string{"Branch Manager"},
				Widgets: []string{"Today's cash differences", "ATM balancing", "Items to sign off"}},
			{Key: "agent-supervision", Name: "Agent supervision board", Roles: []string{"agent"}, Modules: []string{"audit-trail"},
				Description: "For closely supervised agents: every suggestion, escalation and guardrail hit with the human who decided.",
				Widgets:     []string{"Suggestions accepted and rejected", "Escalations waiting for a human", "Guardrail hits"},
				Rules:       []persona.Rule{rule(1, "", when("dimensions.oversight_intensity", persona.OpGTE, 3))}},
			{Key: "agent-activity", Name: "Agent activity log", Roles: []string{"agent"},
				Widgets: []string{"Conversations today", "Questions it could not answer"}},
			{Key: "ops-overview", Name: "Operations overview", Roles: []string{"ux"},
				Widgets: []string{"Match rate today", "Open breaks by team", "Month-end countdown"}},
		},
	}
}
