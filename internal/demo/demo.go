// Package demo holds the demo organisation's content: groups and personas of
// all four profile types, written against the starter templates. It is pure
// data; internal/seed writes it through the application layer so that it
// obeys every rule real data does.
package demo

import "github.com/personapal/personapal/internal/persona"

// GroupSpec is a persona group to create. Key links personas to it.
type GroupSpec struct {
	Key, Name, Description string
}

// PersonaSpec is a persona to create from the starter template of its
// profile type.
type PersonaSpec struct {
	Key                string
	Group              string // GroupSpec.Key
	ProfileType        persona.ProfileType
	Name, Summary      string
	Status             persona.Status
	Values             persona.Values
	Dimensions         persona.Values
	LastReviewedOn     string
	ReviewIntervalDays int
	// Refs are persona reference values: field key → the targets'
	// PersonaSpec.Keys, set once every persona exists (with the second
	// revision).
	Refs map[string][]string
}

// Dataset is everything the demo organisation holds.
type Dataset struct {
	OrgName, OrgSlug      string
	OwnerName, OwnerEmail string
	Groups                []GroupSpec
	Personas              []PersonaSpec
	Variants              []VariantSpec
	Alignments            []AlignmentSpec
}

// AlignmentSpec links a buyer persona to the users its promise reaches and
// records verdicts on its claims; personas are named by PersonaSpec.Key.
type AlignmentSpec struct {
	Buyer  string
	Users  []string
	Claims []ClaimSpec
}

// ClaimSpec is a verdict on one of the buyer's claims for one user item.
type ClaimSpec struct {
	ClaimField, Claim         string
	User, UserField, UserItem string
	Verdict                   persona.Verdict
	Note                      string
}

// VariantSpec is a customer variant of a persona for a customer archetype,
// both named by PersonaSpec.Key.
type VariantSpec struct {
	Persona, Customer string
	Note              string
	Values            persona.Values
	Dimensions        persona.Values
	FieldNotes        map[string]string
}

// Data returns the demo dataset. Each call builds fresh values.
func Data() Dataset {
	return Dataset{
		OrgName:    "Ledgerline (demo)",
		OrgSlug:    "ledgerline-demo",
		OwnerName:  "Dana Demo",
		OwnerEmail: "demo@example.com",
		Groups: []GroupSpec{
			{Key: "banking", Name: "Banking customers", Description: "The kinds of bank and financial firm we sell to, and how each of them buys and deploys."},
			{Key: "users", Name: "Product users", Description: "The people who work in Ledgerline every day: operations, compliance, branches, and our own designers."},
			{Key: "gtm", Name: "Go-to-market", Description: "Buyers and influencers: who signs, who blocks, and what convinces them."},
			{Key: "agents", Name: "AI agents", Description: "The AI agents that work alongside our users, with their mandates, guardrails and human supervisors."},
		},
		Personas: personas(),
		Variants: variants(),
		Alignments: []AlignmentSpec{{
			Buyer: "head-of-operations", Users: []string{"system-lead", "compliance-analyst"},
			Claims: []ClaimSpec{
				{ClaimField: "messaging", Claim: "Every override explained, every approval recorded",
					User: "system-lead", UserField: "pain_points", UserItem: "The audit trail export is a raw CSV that nobody outside IT can read",
					Verdict: persona.VerdictContradicted, Note: "The trail is recorded, but nobody outside IT can read the export."},
				{ClaimField: "messaging", Claim: "Every override explained, every approval recorded",
					User: "compliance-analyst", UserField: "pain_points", UserItem: "Cannot filter the audit trail by approver",
					Verdict: persona.VerdictContradicted, Note: "Approvals are recorded but cannot be found by approver."},
				{ClaimField: "messaging", Claim: "Month end in two days, not four",
					User: "system-lead", UserField: "goals", UserItem: "Cut the time spent on month-end reconciliation from four days to two",
					Verdict: persona.VerdictSupported},
				{ClaimField: "proof_points", Claim: "97% auto-match rate at a comparable bank",
					User: "system-lead", UserField: "success_measures", UserItem: "Auto-match rate above 97%",
					Verdict: persona.VerdictSupported, Note: "The System Lead measures exactly this."},
			},
		}},
	}
}

func l(items ...string) []string { return items }

func personas() []PersonaSpec {
	return []PersonaSpec{
		// ---------------------------------------------------------------- UX
		{
			Refs: map[string][]string{"works_for": {"big-bank"}}, Key: "system-lead", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "System Lead",
			Summary: "Owns the reconciliation platform inside a bank's operations department. Keeps the nightly matching runs healthy, configures rules, and answers to auditors for every manual override in the audit trail.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":       "Reconciliation System Lead",
				"quote":            "If it isn't in the audit trail, it didn't happen — and the auditors will ask.",
				"team_size":        6,
				"experience_years": 9,
				"work_setting":     "Hybrid",
				"goals": l(
					"Close every business day with zero unexplained breaks",
					"Cut the time spent on month-end reconciliation from four days to two",
					"Pass the annual IT audit without a single finding on change management",
				),
				"success_measures": l(
					"Auto-match rate above 97%",
					"Open breaks older than 5 days: none",
					"Rule changes deployed with a reviewer and a ticket reference",
				),
				"jobs_to_be_done": l(
					"When the overnight matching run fails, I want to see which feed broke and why, so I can rerun it before the 8:00 cut-off",
					"When a new counterparty goes live, I want to clone and adapt an existing rule set, so I can onboard it in a day instead of a week",
					"When auditors ask about a manual override, I want the complete audit trail in one export, so I can answer without digging through emails",
				),
				"workflows": l(
					"06:30 check overnight run status and exception queue",
					"Triage unmatched items and assign them to operations clerks",
					"Tune matching rules in the test environment, then promote with four-eyes approval",
					"Month end: sign off the reconciliation certificate for finance",
				),
				"usage_frequency":    "Several times a day",
				"workflow_notes":     "Peaks at **month end** and **quarter end**. Works closely with the Compliance Analyst on anything touching the audit trail, and with IT when a feed format changes without warning.",
				"decision_authority": "Decides within limits",
				"decides_on": l(
					"Matching rule changes below the materiality threshold",
					"Who in operations handles which exception queue",
					"When to rerun a failed batch",
				),
				"escalates_to": "Head of Operations",
				"pain_points": l(
					"Rule changes need three screens and a spreadsheet to document",
					"The audit trail export is a raw CSV that nobody outside IT can read",
					"Feed failures are noticed only when the morning queue is empty",
					"No way to simulate a rule change against last month's data",
				),
				"workarounds": l(
					"Keeps a personal spreadsheet log of every rule change",
					"Screenshots of the exception queue pasted into the audit folder",
				),
				"frustration":  4,
				"access_level": "Administrator",
				"permissions": l(
					"Create and edit matching rules in test",
					"Rerun batches",
					"Assign exception queues",
					"Export the audit trail",
				),
				"approval_required": l(
					"Promoting rule changes to production",
					"Writing off breaks above EUR 10,000",
				),
				"tools":       l("ledgerline", "excel", "servicenow", "sql", "confluence"),
				"devices":     l("Desktop", "Laptop"),
				"ai_adoption": "Curious",
				"ai_use_cases": l(
					"Suggest a matching rule from a set of manually matched items",
					"Explain why two items did not match",
					"Draft the monthly reconciliation commentary",
				),
				"ai_concerns": l(
					"Will the auditors accept a rule an AI suggested?",
					"Needs every AI action in the audit trail, with who approved it",
				),
				"context":       "Works in a central operations hub of a tier-1 bank. Production changes go through a weekly change advisory board; emergency changes need the Head of Operations' sign-off.\n\nThe reconciliation platform replaced a 15-year-old in-house system two years ago; some feeds still come from the old mainframe.",
				"research_link": "https://research.example.com/interviews/system-lead-2026",
				"research_date": "2026-09-14",
			},
			Dimensions:     persona.Values{"technical_comfort": 5, "decision_authority": 3, "autonomy": 4, "risk_tolerance": 2, "ai_adoption": 3, "time_pressure": 4, "usage_frequency": "daily"},
			LastReviewedOn: "2026-10-02", ReviewIntervalDays: 180,
		},
		{
			Refs: map[string][]string{"works_for": {"big-bank", "savings-bank"}}, Key: "compliance-analyst", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "Compliance Analyst",
			Summary: "Second line of defence. Samples reconciliations, checks segregation of duties, and prepares evidence packs for regulators and internal audit.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":       "Compliance Analyst, Operational Risk",
				"quote":            "I don't need to change anything — I need to prove nothing was changed without approval.",
				"team_size":        12,
				"experience_years": 4,
				"work_setting":     "Office",
				"goals": l(
					"Produce regulator evidence packs in hours, not weeks",
					"Spot segregation-of-duties conflicts before audit does",
					"Keep a defensible sampling method for control testing",
				),
				"success_measures": l("No repeat audit findings", "Evidence requests answered within two working days"),
				"jobs_to_be_done": l(
					"When the regulator asks for evidence of a control, I want to pull every approval for a period, so I can answer with confidence",
					"When someone both creates and approves a rule change, I want to be alerted, so I can raise it before it becomes a finding",
				),
				"workflows": l(
					"Quarterly control testing with random samples",
					"Ad-hoc evidence requests from internal audit",
					"Annual review of user access rights",
				),
				"usage_frequency":    "Weekly",
				"decision_authority": "Recommends",
				"decides_on":         l("Sample sizes", "Whether a control test passes"),
				"escalates_to":       "Head of Compliance",
				"pain_points": l(
					"Read-only access still shows edit buttons, which makes auditors nervous",
					"Cannot filter the audit trail by approver",
					"Evidence has to be re-formatted by hand for every regulator",
				),
				"workarounds":         l("Asks the System Lead to run SQL extracts"),
				"frustration":         3,
				"access_level":        "Viewer",
				"permissions":         l("Read everything, including the audit trail", "Export reports"),
				"approval_required":   l("Access to customer-level data outside a sample"),
				"tools":               l("ledgerline", "archer", "excel", "powerbi"),
				"devices":             l("Desktop"),
				"accessibility_needs": l("Works at 150% zoom; tables must not break"),
				"ai_adoption":         "Cautious",
				"ai_use_cases":        l("Summarise a quarter's overrides into a narrative", "Flag unusual approval patterns"),
				"ai_concerns":         l("Explainability of any flag raised", "Customer data leaving the bank"),
				"context":             "Reports to the Chief Risk Officer. Subject to DORA and national supervisor guidelines on outsourcing.",
				"research_date":       "2026-06-20",
			},
			Dimensions:     persona.Values{"technical_comfort": 3, "decision_authority": 2, "autonomy": 3, "risk_tolerance": 1, "ai_adoption": 2, "time_pressure": 2, "usage_frequency": "weekly"},
			LastReviewedOn: "2026-07-01", ReviewIntervalDays: 365,
		},
		{
			Refs: map[string][]string{"works_for": {"savings-bank"}}, Key: "branch-manager", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "Branch Manager",
			Summary: "Runs a retail branch with a small team. Uses Ledgerline once a day to clear the branch's cash and card differences before the regional deadline.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":       "Branch Manager",
				"quote":            "I have ten minutes for this between customers. Tell me what's wrong and let me fix it.",
				"team_size":        8,
				"experience_years": 15,
				"work_setting":     "Branch / field",
				"goals": l(
					"Clear the branch's cash differences before the 16:00 regional deadline",
					"Spend time with customers and staff, not with screens",
				),
				"jobs_to_be_done": l(
					"When the till doesn't balance, I want to see which transactions are involved, so I can talk to the right teller",
				),
				"workflows":          l("End-of-day cash balancing", "Approve teller corrections"),
				"usage_frequency":    "Daily",
				"decision_authority": "Decides within limits",
				"decides_on":         l("Corrections below EUR 500", "Staff rota"),
				"escalates_to":       "Regional Operations Manager",
				"pain_points": l(
					"Too many screens on a shared branch terminal",
					"Jargon like 'break' and 'nostro' means nothing at the branch",
					"Session times out during customer conversations",
				),
				"workarounds":         l("Writes differences on paper and enters them later"),
				"frustration":         5,
				"access_level":        "Approver",
				"permissions":         l("Approve teller corrections below EUR 500"),
				"approval_required":   l("Corrections above EUR 500 (regional operations)"),
				"tools":               l("ledgerline", "core banking terminal", "email"),
				"devices":             l("Shared terminal", "Phone"),
				"accessibility_needs": l("Reading glasses; prefers large type"),
				"ai_adoption":         "Sceptical",
				"ai_concerns":         l("Another tool to learn", "Who is accountable if it is wrong?"),
				"context":             "Small branch in a regional town; the shared terminal is also used for customer service.",
			},
			Dimensions:     persona.Values{"technical_comfort": 2, "decision_authority": 3, "autonomy": 3, "risk_tolerance": 2, "ai_adoption": 1, "time_pressure": 5, "usage_frequency": "daily"},
			LastReviewedOn: "2025-03-12", ReviewIntervalDays: 180,
		},
		{
			Key: "product-designer", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "Product Designer",
			Summary: "Designs Ledgerline's screens. Uses the personas themselves to decide between options, and needs them current, comparable and linked to research.",
			Status:  persona.StatusDraft,
			Values: persona.Values{
				"role_title":       "Senior Product Designer",
				"quote":            "Show me who this is for, and which research says so.",
				"team_size":        5,
				"experience_years": 7,
				"work_setting":     "Remote",
				"goals": l(
					"Make design decisions traceable to real users",
					"Keep personas alive after the research sprint ends",
				),
				"jobs_to_be_done": l(
					"When two personas want opposite things, I want to compare them side by side, so I can make the trade-off explicit",
				),
				"workflows":          l("Discovery interviews", "Prototype testing", "Design reviews with product and engineering"),
				"usage_frequency":    "Weekly",
				"decision_authority": "Decides alone",
				"decides_on":         l("Interaction patterns", "Visual design"),
				"pain_points":        l("Personas live in slide decks nobody updates", "Research findings are not linked to decisions"),
				"frustration":        3,
				"access_level":       "Contributor",
				"permissions":        l("Edit personas and templates"),
				"tools":              l("figma", "dovetail", "miro", "ledgerline"),
				"devices":            l("Laptop", "Tablet"),
				"ai_adoption":        "Regular user",
				"ai_use_cases":       l("Cluster interview notes", "Draft persona summaries from transcripts"),
				"context":            "Part of a cross-functional squad; shares persona links in every design review.",
				"research_link":      "https://research.example.com/design-ops/personas",
			},
			Dimensions: persona.Values{"technical_comfort": 4, "decision_authority": 4, "autonomy": 5, "risk_tolerance": 4, "ai_adoption": 5, "time_pressure": 3, "usage_frequency": "weekly"},
		},
		{
			Refs: map[string][]string{"works_for": {"fintech", "big-bank"}}, Key: "payments-specialist", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "Payments Operations Specialist",
			Summary: "Works the exception queue all day: investigates unmatched payments, contacts counterparties, and proposes write-offs.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":       "Payments Operations Specialist",
				"team_size":        20,
				"experience_years": 2,
				"work_setting":     "Shift-based",
				"goals": l(
					"Clear my queue before the end of the shift",
					"Never let an item age past five days",
				),
				"jobs_to_be_done": l(
					"When an item doesn't match, I want the likely counterpart suggested, so I can resolve it in one click",
					"When I need a counterparty's help, I want a pre-filled investigation message, so I can send it in seconds",
				),
				"workflows":          l("Work the exception queue", "Counterparty investigations", "Propose write-offs"),
				"usage_frequency":    "Several times a day",
				"decision_authority": "Executes only",
				"escalates_to":       "Reconciliation System Lead",
				"pain_points": l(
					"Copying references between three systems",
					"No keyboard shortcuts in the queue",
					"Search only finds exact references",
				),
				"frustration":       4,
				"access_level":      "Contributor",
				"permissions":       l("Match and unmatch items manually", "Add investigation notes"),
				"approval_required": l("Any write-off"),
				"tools":             l("ledgerline", "swift alliance", "outlook"),
				"devices":           l("Desktop"),
				"ai_adoption":       "Curious",
				"ai_use_cases":      l("Suggest likely matches", "Draft counterparty emails"),
			},
			Dimensions:     persona.Values{"technical_comfort": 3, "decision_authority": 1, "autonomy": 2, "risk_tolerance": 2, "ai_adoption": 4, "time_pressure": 5, "usage_frequency": "daily"},
			LastReviewedOn: "2026-01-20", ReviewIntervalDays: 90,
		},
		{
			Refs: map[string][]string{"works_for": {"big-bank"}}, Key: "mainframe-operator", Group: "users", ProfileType: persona.ProfileUX,
			Name:    "Mainframe Batch Operator",
			Summary: "Ran the nightly batch on the old reconciliation system. Kept for reference while the last feeds migrate off the mainframe.",
			Status:  persona.StatusArchived,
			Values: persona.Values{
				"role_title":      "Batch Operator",
				"work_setting":    "Shift-based",
				"goals":           l("Nightly batch finished by 05:00"),
				"workflows":       l("Start and monitor the nightly batch", "Restart failed jobs from the runbook"),
				"pain_points":     l("Green-screen error codes with no explanation"),
				"tools":           l("jcl", "tso"),
				"ai_adoption":     "Sceptical",
				"usage_frequency": "Daily",
			},
			Dimensions:     persona.Values{"technical_comfort": 4, "decision_authority": 1, "autonomy": 2, "risk_tolerance": 1, "ai_adoption": 1, "time_pressure": 3, "usage_frequency": "daily"},
			LastReviewedOn: "2024-05-10", ReviewIntervalDays: 365,
		},

		// --------------------------------------------------------- Marketing
		{
			Key: "head-of-operations", Group: "gtm", ProfileType: persona.ProfileMarketing,
			Name:    "Head of Operations (buyer)",
			Summary: "Economic buyer at mid-size and large banks. Owns the operations budget and the cost-per-transaction target; buys when month-end pain becomes a board topic.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":   "Head of Operations",
				"seniority":    "Director",
				"company_type": "Retail or universal bank, 2,000+ employees",
				"buying_role":  "Economic buyer",
				"goals": l(
					"Cut cost per reconciled transaction by 30% in two years",
					"Free experienced staff from manual matching for higher-value work",
					"A clean audit: no findings on reconciliation controls",
				),
				"challenges": l(
					"Legacy feeds that break without warning",
					"Staff turnover in operations; knowledge leaves with people",
					"Every change needs IT, risk and procurement on board",
				),
				"triggers": l("An audit finding on reconciliations", "A merger that doubles transaction volumes", "The old system's vendor ends support"),
				"journey_discover": l(
					"Peer conversations at operations conferences",
					"Analyst reports on reconciliation platforms",
				),
				"journey_evaluate": l(
					"Reference calls with two banks of similar size",
					"A proof of concept on one real, messy feed",
					"Business case with finance",
				),
				"journey_choose": l(
					"Credible plan for the first three months",
					"Risk and compliance sign-off",
					"Total cost over five years, not licence price",
				),
				"deal_size":         250000,
				"sales_cycle_weeks": 36,
				"value_proposition": "Close the books faster with fewer people on manual matching — and hand auditors a complete **audit trail** instead of a spreadsheet.",
				"messaging": l(
					"Month end in two days, not four",
					"Every override explained, every approval recorded",
					"Live in one quarter, one feed at a time",
				),
				"language":            l("straight-through processing", "breaks", "cost per transaction", "operational risk"),
				"proof_points":        l("97% auto-match rate at a comparable bank", "Audit finding closed within one quarter", "ISO 27001 and SOC 2 Type II"),
				"channels":            l("Events", "Peer referrals", "Analyst reports", "LinkedIn"),
				"content_preferences": l("Two-page business case", "Peer case studies with numbers"),
				"objections": l(
					"We tried automating this before and it failed",
					"My team doesn't have time for a migration",
					"IT will never approve another vendor",
				),
				"objection_handling": "Lead with a **feed-by-feed** rollout and a named customer reference of the same size. Offer the first feed as a fixed-price pilot.",
				"competitors":        l("in-house build", "spreadsheets", "big-vendor reconciliation suite"),
				"research_link":      "https://crm.example.com/reports/win-loss-2026",
				"research_date":      "2026-08-30",
			},
			Dimensions:     persona.Values{"technical_comfort": 2, "decision_authority": 5, "budget_authority": 5, "risk_tolerance": 2, "price_sensitivity": 3, "ai_adoption": 3, "buying_role": "economic buyer"},
			LastReviewedOn: "2026-09-05", ReviewIntervalDays: 180,
		},
		{
			Key: "cio", Group: "gtm", ProfileType: persona.ProfileMarketing,
			Name:    "Chief Information Officer (technical buyer)",
			Summary: "Technical buyer with a veto. Cares about integration effort, security, exit options and not adding yet another system to run.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"role_title":   "Chief Information Officer",
				"seniority":    "C-level",
				"company_type": "Bank or insurer with a large legacy estate",
				"buying_role":  "Technical buyer",
				"goals": l(
					"Shrink the application landscape",
					"Meet DORA requirements on ICT third-party risk",
				),
				"challenges":         l("Mainframe skills retiring", "Cloud approval takes a year"),
				"triggers":           l("Decommissioning programme", "New supervisory guidance on outsourcing"),
				"journey_discover":   l("Architecture board reviews", "Trade press"),
				"journey_evaluate":   l("Security questionnaire (400 questions)", "Integration spike with the core banking API"),
				"journey_choose":     l("Exit plan and data portability", "Reference architecture fits our cloud policy"),
				"sales_cycle_weeks":  40,
				"messaging":          l("Standard APIs, no custom connectors", "Your data, exportable at any time"),
				"language":           l("landscape", "exit strategy", "third-party risk", "api-first"),
				"proof_points":       l("Open API specification", "Penetration test summary", "EU-only hosting"),
				"channels":           l("Analyst reports", "Trade press", "Partner network"),
				"objections":         l("Another vendor to manage", "What happens if you go bankrupt?"),
				"objection_handling": "Show the exit plan and escrow arrangement first; then the integration effort in person-days.",
				"competitors":        l("big-vendor reconciliation suite", "in-house build"),
			},
			Dimensions:     persona.Values{"technical_comfort": 5, "decision_authority": 4, "budget_authority": 4, "risk_tolerance": 1, "price_sensitivity": 2, "ai_adoption": 3, "buying_role": "technical buyer"},
			LastReviewedOn: "2025-11-15", ReviewIntervalDays: 180,
		},
		{
			Key: "ops-team-lead", Group: "gtm", ProfileType: persona.ProfileMarketing,
			Name:    "Operations Team Lead (champion)",
			Summary: "The internal champion. Feels the pain daily, brings us in, and needs material to convince their Head of Operations.",
			Status:  persona.StatusDraft,
			Values: persona.Values{
				"role_title":          "Reconciliation Team Lead",
				"seniority":           "Manager",
				"buying_role":         "Champion",
				"goals":               l("Get the team out of spreadsheet hell", "Be seen as the person who fixed month end"),
				"challenges":          l("No budget of their own", "Hard to quantify the pain for management"),
				"journey_discover":    l("Search for 'automate bank reconciliation'", "LinkedIn posts from peers"),
				"journey_evaluate":    l("Free sandbox trial", "Webinar with a live demo"),
				"messaging":           l("Your team's evenings back at month end"),
				"language":            l("breaks", "manual matching", "month end"),
				"channels":            l("Search", "LinkedIn", "Webinars"),
				"content_preferences": l("ROI calculator", "Slides they can reuse internally"),
				"objections":          l("My boss will say it's too expensive"),
			},
			Dimensions: persona.Values{"technical_comfort": 3, "decision_authority": 2, "budget_authority": 1, "risk_tolerance": 3, "price_sensitivity": 4, "ai_adoption": 4, "buying_role": "champion"},
		},

		// -------------------------------------------------------- Archetypes
		{
			Key: "big-bank", Group: "banking", ProfileType: persona.ProfileArchetype,
			Name:    "Big Bank",
			Summary: "A tier-1 universal bank: huge volumes, a decades-old system landscape, strict regulators and a procurement process measured in quarters.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"industry":     "Banking",
				"company_size": "10000+",
				"regulated":    "Yes",
				"regions":      l("DACH", "Benelux", "UK & Ireland"),
				"goals": l(
					"Reduce operations headcount growth while volumes grow 10% a year",
					"Decommission the mainframe reconciliation by 2028",
					"Zero repeat findings from the supervisor",
				),
				"challenges": l(
					"Hundreds of feeds in dozens of formats",
					"Change freezes around every quarter end",
					"Vendor onboarding takes six to nine months",
				),
				"systems":        l("mainframe", "sap", "swift", "murex", "servicenow"),
				"integrations":   l("SWIFT MT940/camt.053 statements", "Core banking GL extracts", "Single sign-on via the bank's identity provider"),
				"data_residency": "Country only",
				"buying_process": "Formal RFP with a shortlist of three. Proof of concept on bank premises. Legal, risk, security and procurement reviews run **in sequence**, not in parallel.",
				"approval_chain": l(
					"Head of Operations",
					"Architecture board",
					"Chief Information Security Officer",
					"Outsourcing committee",
					"Chief Operating Officer",
				),
				"budget_cycle":          "Annual",
				"procurement_weeks":     40,
				"deployment_model":      "Private cloud",
				"rollout_style":         "Phased by region",
				"deployment_notes":      "Quarterly release windows only. Every environment (test, acceptance, production) must be separate, with production data masked outside production.",
				"risk_appetite":         1,
				"compliance_frameworks": l("dora", "gdpr", "iso 27001", "eba outsourcing guidelines"),
				"security_review": l(
					"Full security questionnaire and penetration test report",
					"Right to audit the vendor",
					"Exit plan with data return within 30 days",
				),
				"key_personas":  l("System Lead", "Compliance Analyst", "Payments Operations Specialist", "Head of Operations (buyer)", "Chief Information Officer (technical buyer)"),
				"context":       "Typical deal: multi-year enterprise licence with a paid pilot. Reference customers matter more than features.",
				"research_link": "https://crm.example.com/accounts/segments/tier-1",
				"research_date": "2026-05-18",
			},
			Dimensions:     persona.Values{"technical_comfort": 3, "risk_tolerance": 1, "regulatory_pressure": 5, "price_sensitivity": 2, "ai_adoption": 2, "decision_speed": 1, "deployment_preference": "private cloud"},
			LastReviewedOn: "2026-06-01", ReviewIntervalDays: 365,
		},
		{
			Key: "fintech", Group: "banking", ProfileType: persona.ProfileArchetype,
			Name:    "FinTech",
			Summary: "A fast-growing payments or lending start-up with a banking licence or a partner bank. Cloud-native, API-first, buys in weeks — and churns just as fast.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"industry":     "Payments",
				"company_size": "251-1000",
				"regulated":    "Partly",
				"regions":      l("Nordics", "DACH", "Southern Europe"),
				"goals": l(
					"Scale transaction volume 5x without growing the operations team",
					"Get the e-money licence audit done with a tiny compliance team",
				),
				"challenges": l(
					"Partner banks demand evidence of controls",
					"Engineers are expensive; nobody wants to build reconciliation",
				),
				"systems":               l("stripe", "adyen", "postgresql", "snowflake", "slack"),
				"integrations":          l("Webhooks from payment processors", "Data warehouse export", "Slack alerts"),
				"data_residency":        "EU only",
				"buying_process":        "Engineering lead trials the product; the COO signs a monthly subscription by credit card if the trial works.",
				"approval_chain":        l("Engineering lead", "Chief Operating Officer"),
				"budget_cycle":          "Ad hoc",
				"procurement_weeks":     3,
				"deployment_model":      "SaaS",
				"rollout_style":         "Big bang",
				"deployment_notes":      "Self-serve onboarding, API keys on day one. Expects Terraform and a sandbox.",
				"risk_appetite":         4,
				"compliance_frameworks": l("psd2", "gdpr", "soc 2"),
				"security_review":       l("SOC 2 report", "Data processing agreement"),
				"key_personas":          l("Operations Team Lead (champion)", "Product Designer"),
				"research_link":         "https://crm.example.com/accounts/segments/fintech",
				"research_date":         "2026-10-10",
			},
			Dimensions:     persona.Values{"technical_comfort": 5, "risk_tolerance": 4, "regulatory_pressure": 3, "price_sensitivity": 4, "ai_adoption": 5, "decision_speed": 5, "deployment_preference": "saas"},
			LastReviewedOn: "2026-10-12", ReviewIntervalDays: 120,
		},
		{
			Key: "savings-bank", Group: "banking", ProfileType: persona.ProfileArchetype,
			Name:    "Regional Savings Bank",
			Summary: "A regional savings bank in a banking group: shared IT service provider, conservative, loyal once won.",
			Status:  persona.StatusDraft,
			Values: persona.Values{
				"industry":         "Banking",
				"company_size":     "1001-10000",
				"regulated":        "Yes",
				"regions":          l("DACH"),
				"goals":            l("Keep branch network profitable", "Follow the group's IT roadmap"),
				"challenges":       l("All IT decisions go through the group IT provider"),
				"systems":          l("group core banking", "sap"),
				"data_residency":   "Country only",
				"approval_chain":   l("Board member for operations", "Group IT provider"),
				"budget_cycle":     "Annual",
				"deployment_model": "Hybrid",
				"rollout_style":    "Pilot first",
				"risk_appetite":    2,
				"key_personas":     l("Branch Manager"),
			},
			Dimensions:     persona.Values{"technical_comfort": 2, "risk_tolerance": 2, "regulatory_pressure": 4, "price_sensitivity": 5, "ai_adoption": 2, "decision_speed": 2, "deployment_preference": "hybrid"},
			LastReviewedOn: "2025-01-30", ReviewIntervalDays: 180,
		},

		// ------------------------------------------------------------ Agents
		{
			Refs: map[string][]string{"supervising_persona": {"system-lead"}}, Key: "reconciliation-assistant", Group: "agents", ProfileType: persona.ProfileAgent,
			Name:    "Reconciliation Assistant",
			Summary: "Proposes matches for unmatched items and drafts matching rules. Never matches on its own above the threshold; every suggestion lands in the audit trail with the human who accepted it.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"purpose": "Shrink the exception queue by proposing likely matches and rules, so that specialists spend time on judgement, not lookup.",
				"goals": l(
					"Raise the auto-match rate by 2 points without new false matches",
					"Halve the time from break to resolution",
				),
				"tasks": l(
					"Suggest the three most likely counterparts for an unmatched item, with reasons",
					"Propose a matching rule from a set of manual matches",
					"Draft the daily exception summary for the System Lead",
				),
				"serves_personas": l("Payments Operations Specialist", "System Lead"),
				"autonomy_level":  "Drafts for approval",
				"supervisor_role": "Reconciliation System Lead",
				"review_cadence":  "Every action",
				"guardrails": l(
					"Never match items above EUR 10,000 without a human",
					"Every suggestion is logged in the audit trail with model version and inputs",
					"No customer personal data in prompts",
				),
				"data_access":       l("Internal documents", "Financial records"),
				"permissions":       l("Read unmatched items and statements", "Create suggestions", "Draft rules in the test environment"),
				"approval_required": l("Accepting a match", "Promoting a rule"),
				"forbidden_actions": l("Writing off breaks", "Changing production rules", "Contacting counterparties"),
				"tools":             l("ledgerline api", "rules engine", "vector search"),
				"integrations":      l("Ledgerline exception queue", "Audit trail service"),
				"model":             "Hosted LLM (EU region) with a retrieval index of past matches",
				"escalation_triggers": l(
					"Confidence below 0.7",
					"Amount above EUR 10,000",
					"Counterparty on the sanctions watch list",
				),
				"escalates_to":  "Reconciliation System Lead",
				"failure_modes": l("Overconfident on round-amount payments", "Misses matches across currency conversions"),
				"context":       "Piloted with two customers since spring 2026. Acceptance rate of suggestions: 81%.",
				"research_link": "https://docs.example.com/agents/reconciliation-assistant/runbook",
				"research_date": "2026-11-02",
			},
			Dimensions:     persona.Values{"autonomy": 2, "decision_authority": 1, "risk_tolerance": 2, "oversight_intensity": 5, "data_sensitivity": 4},
			LastReviewedOn: "2026-11-03", ReviewIntervalDays: 90,
		},
		{
			Refs: map[string][]string{"supervising_persona": {"compliance-analyst"}}, Key: "evidence-collector", Group: "agents", ProfileType: persona.ProfileAgent,
			Name:    "Audit Evidence Collector",
			Summary: "Assembles evidence packs for auditors and regulators from the audit trail, approvals and control tests. Read-only; a Compliance Analyst signs every pack.",
			Status:  persona.StatusPublished,
			Values: persona.Values{
				"purpose":             "Turn an auditor's request into a complete, well-formatted evidence pack in minutes.",
				"goals":               l("Evidence requests answered the same day"),
				"tasks":               l("Parse the request", "Query the audit trail and approvals", "Format the pack in the regulator's template", "List gaps it could not fill"),
				"serves_personas":     l("Compliance Analyst"),
				"autonomy_level":      "Acts with review afterwards",
				"supervisor_role":     "Compliance Analyst",
				"review_cadence":      "Daily sample",
				"guardrails":          l("Read-only access", "Never send anything outside the bank", "States its sources for every statement"),
				"data_access":         l("Internal documents", "Financial records", "Personal data"),
				"permissions":         l("Read the audit trail", "Create draft evidence packs"),
				"approval_required":   l("Releasing a pack to an auditor"),
				"forbidden_actions":   l("Editing or deleting audit records", "Sharing customer-level data"),
				"tools":               l("ledgerline api", "document templates"),
				"escalation_triggers": l("Request is ambiguous", "Evidence missing for a period"),
				"escalates_to":        "Head of Compliance",
				"failure_modes":       l("Misreads regulator-specific terminology"),
			},
			Dimensions:     persona.Values{"autonomy": 3, "decision_authority": 2, "risk_tolerance": 1, "oversight_intensity": 3, "data_sensitivity": 5},
			LastReviewedOn: "2026-02-14", ReviewIntervalDays: 90,
		},
		{
			Key: "onboarding-guide", Group: "agents", ProfileType: persona.ProfileAgent,
			Name:    "Onboarding Guide",
			Summary: "Answers new users' how-to questions inside the product and walks them through their first reconciliation.",
			Status:  persona.StatusDraft,
			Values: persona.Values{
				"purpose":             "Get a new user to their first completed reconciliation without a support ticket.",
				"tasks":               l("Answer how-to questions from the documentation", "Start guided tours"),
				"serves_personas":     l("Branch Manager", "Payments Operations Specialist"),
				"autonomy_level":      "Acts autonomously within limits",
				"supervisor_role":     "Customer Success Manager",
				"review_cadence":      "Weekly",
				"guardrails":          l("Only answers from published documentation", "Says so when it does not know"),
				"data_access":         l("Public data"),
				"permissions":         l("Show help content", "Start product tours"),
				"forbidden_actions":   l("Reading or changing customer data"),
				"tools":               l("docs search"),
				"escalation_triggers": l("User asks about a bug or an outage"),
				"escalates_to":        "Support team",
			},
			Dimensions: persona.Values{"autonomy": 4, "decision_authority": 1, "risk_tolerance": 3, "oversight_intensity": 1, "data_sensitivity": 1},
		},
	}
}

// variants are the demo's customer variants: the System Lead at a big bank
// and at a fintech.
func variants() []VariantSpec {
	return []VariantSpec{
		{
			Persona: "system-lead", Customer: "big-bank",
			Note: "At a big bank the System Lead runs the platform but does not own change: every production change goes through the weekly change advisory board, and segregation of duties is audited twice a year.",
			Values: persona.Values{
				"decision_authority": "Recommends",
				"approval_required":  l("Every production change (CAB)", "New matching rules, reviewed by second line", "Writing off any break"),
				"tools":              l("ledgerline", "servicenow", "archer", "mainframe", "excel"),
			},
			Dimensions: persona.Values{"decision_authority": 2, "risk_tolerance": 1, "autonomy": 2},
			FieldNotes: map[string]string{
				"values.decision_authority": "Change authority sits with the CAB; the System Lead prepares and recommends.",
				"values.tools":              "The GRC tool (Archer) holds the evidence; some feeds still come from the mainframe.",
				"dimensions.risk_tolerance": "Regulators and internal audit make any visible failure expensive.",
			},
		},
		{
			Persona: "system-lead", Customer: "fintech",
			Note: "At a fintech the System Lead is often also the platform engineer: small team, deploys weekly, automates everything, and wants an API for every screen.",
			Values: persona.Values{
				"decision_authority": "Decides alone",
				"team_size":          2,
				"tools":              l("ledgerline", "python", "dbt", "slack", "github"),
			},
			Dimensions: persona.Values{"technical_comfort": 5, "risk_tolerance": 4, "autonomy": 5, "ai_adoption": 5},
			FieldNotes: map[string]string{
				"values.decision_authority": "No change board: the lead ships rule changes behind a feature flag.",
				"dimensions.ai_adoption":    "Already uses AI assistants for SQL and matching-rule drafts.",
			},
		},
	}
}
