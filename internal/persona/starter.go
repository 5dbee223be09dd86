package persona

// StarterTemplate is a built-in template that every new organisation gets a
// copy of, published as version 1.
type StarterTemplate struct {
	Name        string
	ProfileType ProfileType
	Description string
	Definition  Definition
}

// StarterTemplates returns the four built-in templates, one per profile type,
// in ProfileTypes order. Each call builds fresh values: callers may modify
// the result freely.
//
// Keys are shared across the templates wherever the meaning is shared
// (fields such as goals, challenges, tools, role_title, permissions,
// approval_required, context; dimensions such as technical_comfort,
// decision_authority, risk_tolerance, autonomy, ai_adoption), because
// comparison lines personas of different types up by key.
func StarterTemplates() []StarterTemplate {
	return []StarterTemplate{uxTemplate(), marketingTemplate(), archetypeTemplate(), agentTemplate()}
}

// Builders. Each returns a new value, so no slice or map is ever shared.

func fp(v float64) *float64 { return &v }

func sText(key, label, help string, maxLen int) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindText, MaxLength: maxLen}
}

func sRequired(f Field) Field { f.Required = true; return f }

func sMarkdown(key, label, help string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindMarkdown, MaxLength: 5000}
}

func sList(key, label, help string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindList, MaxLength: 300}
}

func sTags(key, label, help string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindTags, MaxLength: 60}
}

func sChoice(key, label, help string, options ...string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindChoice, Options: options}
}

func sMulti(key, label, help string, options ...string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindMultiChoice, Options: options}
}

func sNumber(key, label, help string, min, max *float64) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindNumber, Min: min, Max: max}
}

func sScale(key, label, help, low, high string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindScale, Min: fp(1), Max: fp(5), LowLabel: low, HighLabel: high}
}

func sURL(key, label, help string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindURL, MaxLength: 2000}
}

func sDate(key, label, help string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindDate}
}

func sDim(key, label, help, low, high string) Dimension {
	return Dimension{Key: key, Label: label, Help: help, Kind: DimensionScale, Min: 1, Max: 5, LowLabel: low, HighLabel: high}
}

func sDimChoice(key, label, help string, options ...string) Dimension {
	return Dimension{Key: key, Label: label, Help: help, Kind: DimensionChoice, Options: options}
}

func sLabels(ux, marketing, archetype, agent string) map[ProfileType]string {
	m := map[ProfileType]string{}
	for t, l := range map[ProfileType]string{ProfileUX: ux, ProfileMarketing: marketing, ProfileArchetype: archetype, ProfileAgent: agent} {
		if l != "" {
			m[t] = l
		}
	}
	return m
}

// Shared building blocks.

func goalsSection(extra ...Field) Section {
	return Section{
		Key: "goals", Label: "Goals", Help: "What this persona is trying to achieve, in their own terms.",
		Labels: sLabels("Goals", "Goals & challenges", "Goals & challenges", "Mandate"),
		Fields: extra,
	}
}

func contextSection(help string) Section {
	return Section{
		Key: "context", Label: "Context & sources", Help: help,
		Labels: sLabels("Context", "Context & sources", "Context & sources", "Context & sources"),
		Fields: []Field{
			sMarkdown("context", "Context", "Environment, constraints and anything that does not fit elsewhere."),
			sURL("research_link", "Research source", "Link to the interview notes, study or document this rests on."),
			sDate("research_date", "Researched on", "When the underlying research was done."),
		},
	}
}

func technicalComfort(label, low, high string) Dimension {
	return sDim("technical_comfort", label, "How at ease with technology and new tools.", low, high)
}

func decisionAuthority() Dimension {
	return sDim("decision_authority", "Decision authority", "How much they may decide without asking anyone.", "Executes others' decisions", "Makes the final call")
}

func riskTolerance(label string) Dimension {
	return sDim("risk_tolerance", label, "Appetite for risk when something new or uncertain is on the table.", "Risk-averse", "Risk-seeking")
}

func aiAdoption() Dimension {
	return sDim("ai_adoption", "AI adoption", "How readily AI assistance is taken up.", "Sceptical", "Champion")
}

func uxTemplate() StarterTemplate {
	return StarterTemplate{
		Name:        "UX persona",
		ProfileType: ProfileUX,
		Description: "A person who uses the product: what they try to get done, how they work, where it hurts, what they may do, and how they feel about technology and AI.",
		Definition: Definition{
			Sections: []Section{
				{
					Key: "profile", Label: "Role", Help: "Who this person is at work.",
					Fields: []Field{
						sRequired(sText("role_title", "Role / job title", "The title they would put on a badge.", 200)),
						sText("quote", "In their words", "A short quote that captures their outlook.", 300),
						sNumber("team_size", "Team size", "How many people they work with day to day.", fp(0), fp(100000)),
						sNumber("experience_years", "Years in role", "", fp(0), fp(60)),
						sChoice("work_setting", "Work setting", "", "Office", "Hybrid", "Remote", "Branch / field", "Shift-based"),
						{Key: "works_for", Label: "Works for", Help: "The customer archetypes — the kinds of organisation — this person works at.",
							Kind: KindPersona, Multiple: true, ProfileTypes: []ProfileType{ProfileArchetype}},
					},
				},
				goalsSection(
					sList("goals", "Goals", "Outcomes they care about, one per line."),
					sList("success_measures", "How they measure success", "What tells them a day, week or quarter went well."),
				),
				{
					Key: "jobs", Label: "Jobs to be done", Help: "When …, I want to …, so I can ….",
					Fields: []Field{
						sList("jobs_to_be_done", "Jobs to be done", "One job per line, in the situation → motivation → outcome form."),
					},
				},
				{
					Key: "workflows", Label: "Workflows", Help: "How the work actually happens.",
					Fields: []Field{
						sList("workflows", "Key workflows", "The recurring workflows, in the order they happen."),
						sChoice("usage_frequency", "Uses the product", "", "Several times a day", "Daily", "Weekly", "Monthly", "Rarely"),
						sMarkdown("workflow_notes", "Workflow notes", "Hand-offs, peaks, batch windows, things that happen at month end."),
					},
				},
				{
					Key: "decisions", Label: "Decision authority", Help: "What they may decide alone and where they need someone else.",
					Fields: []Field{
						sChoice("decision_authority", "Decision authority", "", "Executes only", "Recommends", "Decides within limits", "Decides alone"),
						sList("decides_on", "Decides on", "Decisions they make themselves."),
						sText("escalates_to", "Escalates to", "The role they go to when it is not theirs to decide.", 200),
					},
				},
				{
					Key: "pain_points", Label: "Pain points", Help: "Where today's way of working hurts.",
					Labels: sLabels("Pain points", "Challenges", "Challenges", "Known failure modes"),
					Fields: []Field{
						sList("pain_points", "Pain points", "One per line; the most painful first."),
						sList("workarounds", "Workarounds", "What they do today to get around the pain."),
						sScale("frustration", "Frustration", "How strongly the pain points are felt.", "Mildly annoyed", "Ready to switch"),
					},
				},
				{
					Key: "permissions", Label: "Permissions", Help: "What the product lets them do, and what needs someone else.",
					Fields: []Field{
						sChoice("access_level", "Access level", "", "Viewer", "Contributor", "Approver", "Administrator"),
						sList("permissions", "Can do", "Actions they may take on their own."),
						sList("approval_required", "Needs approval for", "Actions that need a second pair of eyes (four-eyes principle)."),
					},
				},
				{
					Key: "technical", Label: "Technical profile", Help: "Tools, devices and needs.",
					Fields: []Field{
						sTags("tools", "Tools", "Systems and apps they use; one tag each."),
						sMulti("devices", "Devices", "", "Desktop", "Laptop", "Tablet", "Phone", "Shared terminal"),
						sList("accessibility_needs", "Accessibility needs", ""),
					},
				},
				{
					Key: "ai", Label: "AI adoption", Help: "How they feel about AI help at work.",
					Fields: []Field{
						sChoice("ai_adoption", "Attitude to AI", "", "Sceptical", "Cautious", "Curious", "Regular user", "Champion"),
						sList("ai_use_cases", "Where AI could help", ""),
						sList("ai_concerns", "Concerns about AI", ""),
					},
				},
				contextSection("Where and under which constraints they work, and what this persona rests on."),
			},
			Dimensions: []Dimension{
				technicalComfort("Technical comfort", "Avoids new tools", "Power user"),
				decisionAuthority(),
				sDim("autonomy", "Autonomy", "How freely they organise their own work.", "Closely supervised", "Fully self-directed"),
				riskTolerance("Risk tolerance"),
				aiAdoption(),
				sDim("time_pressure", "Time pressure", "How rushed the typical working day is.", "Relaxed", "Constant deadlines"),
				sDimChoice("usage_frequency", "Usage frequency", "", "daily", "weekly", "monthly", "rarely"),
			},
		},
	}
}

func marketingTemplate() StarterTemplate {
	return StarterTemplate{
		Name:        "Marketing/sales persona",
		ProfileType: ProfileMarketing,
		Description: "A person who buys or influences buying: goals and challenges, how they move through discovery, evaluation and choice, what messages land and which objections come up.",
		Definition: Definition{
			Sections: []Section{
				{
					Key: "profile", Label: "Role", Help: "Who this buyer is.",
					Fields: []Field{
						sRequired(sText("role_title", "Role / job title", "", 200)),
						sChoice("seniority", "Seniority", "", "Individual contributor", "Manager", "Director", "VP", "C-level"),
						sText("company_type", "Typical company", "The kind of organisation they work in.", 200),
						sChoice("buying_role", "Role in the purchase", "", "Economic buyer", "Technical buyer", "Champion", "Influencer", "End user", "Gatekeeper"),
					},
				},
				goalsSection(
					sList("goals", "Goals", "Business outcomes they are measured on."),
					sList("challenges", "Challenges", "What stands between them and their goals."),
					sList("triggers", "Buying triggers", "Events that make them start looking."),
				),
				{
					Key: "journey", Label: "Buying journey", Help: "How they move from a problem to a purchase.",
					Fields: []Field{
						sList("journey_discover", "Discover", "How they become aware of the problem and of us."),
						sList("journey_evaluate", "Evaluate", "What they compare, test and ask for."),
						sList("journey_choose", "Choose", "What tips the decision, and who signs."),
						sensitive(sNumber("deal_size", "Typical deal size (EUR per year)", "", fp(0), nil)),
						sNumber("sales_cycle_weeks", "Sales cycle (weeks)", "", fp(0), fp(260)),
					},
				},
				{
					Key: "messaging", Label: "Messaging", Help: "What to say, and how to say it.",
					Fields: []Field{
						sMarkdown("value_proposition", "Value proposition", "The promise, in one or two sentences."),
						sList("messaging", "Messages that land", ""),
						sTags("language", "Words they use", "Their vocabulary, not ours."),
						sList("proof_points", "Proof points", "Evidence they find convincing: references, numbers, certifications."),
					},
				},
				{
					Key: "channels", Label: "Channels", Help: "Where to reach them.",
					Fields: []Field{
						sMulti("channels", "Channels", "", "Events", "LinkedIn", "Analyst reports", "Peer referrals", "Webinars", "Email", "Partner network", "Search", "Trade press"),
						sList("content_preferences", "Content they value", ""),
					},
				},
				{
					Key: "objections", Label: "Objections", Help: "What they push back on, and how to answer.",
					Fields: []Field{
						sList("objections", "Objections", "In their words."),
						sMarkdown("objection_handling", "How to answer", ""),
						sTags("competitors", "Alternatives considered", ""),
					},
				},
				contextSection("What this persona rests on: win/loss interviews, CRM data, sales calls."),
			},
			Dimensions: []Dimension{
				technicalComfort("Technical comfort", "Needs it explained", "Reads the API docs"),
				decisionAuthority(),
				sDim("budget_authority", "Budget authority", "Whether they hold the budget.", "No budget", "Owns the budget"),
				riskTolerance("Risk tolerance"),
				sDim("price_sensitivity", "Price sensitivity", "How much price drives the decision.", "Value first", "Price first"),
				aiAdoption(),
				sDimChoice("buying_role", "Buying role", "", "economic buyer", "technical buyer", "champion", "influencer", "user"),
			},
		},
	}
}

func archetypeTemplate() StarterTemplate {
	return StarterTemplate{
		Name:        "Customer archetype",
		ProfileType: ProfileArchetype,
		Description: "A kind of customer organisation: its goals and challenges, systems, how it buys, how it deploys, how much risk it accepts and who has to approve.",
		Definition: Definition{
			Sections: []Section{
				{
					Key: "profile", Label: "Organisation profile", Help: "What kind of organisation this is.",
					Fields: []Field{
						{Key: "industry", Label: "Industry", Kind: KindChoice, Required: true, Options: []string{"Banking", "Insurance", "Payments", "Wealth management", "Public sector", "Healthcare", "Retail", "Technology", "Other"}},
						sChoice("company_size", "Company size (employees)", "", "1-50", "51-250", "251-1000", "1001-10000", "10000+"),
						sChoice("regulated", "Regulated", "Under a financial, health or public-sector regulator?", "Yes", "Partly", "No"),
						sMulti("regions", "Regions", "", "Nordics", "DACH", "UK & Ireland", "Benelux", "Southern Europe", "Central & Eastern Europe", "North America", "APAC"),
					},
				},
				goalsSection(
					sList("goals", "Goals", "What the organisation is trying to achieve this year and next."),
					sList("challenges", "Challenges", "What holds it back."),
				),
				{
					Key: "systems", Label: "Systems landscape", Help: "What is already there.",
					Fields: []Field{
						sTags("systems", "Core systems", "One tag per system."),
						sList("integrations", "Integrations needed", ""),
						sChoice("data_residency", "Data residency", "", "Country only", "EU only", "No requirement"),
					},
				},
				{
					Key: "buying", Label: "How it buys", Help: "Procurement, budgets and approvals.",
					Fields: []Field{
						sMarkdown("buying_process", "Buying process", ""),
						sList("approval_chain", "Approval chain", "Who has to say yes, in order."),
						sChoice("budget_cycle", "Budget cycle", "", "Annual", "Quarterly", "Project-based", "Ad hoc"),
						sNumber("procurement_weeks", "Procurement time (weeks)", "", fp(0), fp(260)),
					},
				},
				{
					Key: "deployment", Label: "How it deploys", Help: "How software reaches its people.",
					Fields: []Field{
						sChoice("deployment_model", "Deployment model", "", "SaaS", "Private cloud", "On-premises", "Hybrid"),
						sChoice("rollout_style", "Rollout style", "", "Big bang", "Pilot first", "Phased by region", "Team by team"),
						sMarkdown("deployment_notes", "Deployment notes", "Change windows, IT constraints, training."),
					},
				},
				{
					Key: "risk", Label: "Risk & compliance", Help: "How much risk it accepts, and what it must prove.",
					Fields: []Field{
						sScale("risk_appetite", "Risk appetite", "", "Zero tolerance", "Moves fast"),
						sTags("compliance_frameworks", "Compliance frameworks", "e.g. dora, gdpr, iso 27001."),
						sList("security_review", "Security review asks", "What their security and risk teams will ask for."),
					},
				},
				{
					Key: "people", Label: "People", Help: "Who works there, in persona terms.",
					Fields: []Field{
						sList("key_personas", "Personas in this organisation", "Names of user and buyer personas found here."),
					},
				},
				contextSection("What this archetype rests on: accounts, deals, analyst reports."),
			},
			Dimensions: []Dimension{
				technicalComfort("Technical maturity", "Paper and spreadsheets", "Cloud-native"),
				riskTolerance("Risk tolerance"),
				sDim("regulatory_pressure", "Regulatory pressure", "How hard regulators press.", "Light touch", "Under close supervision"),
				sDim("price_sensitivity", "Price sensitivity", "How much price drives the decision.", "Value first", "Price first"),
				aiAdoption(),
				sDim("decision_speed", "Decision speed", "How fast it moves from interest to contract.", "Years", "Weeks"),
				sDimChoice("deployment_preference", "Deployment preference", "", "saas", "private cloud", "on-premises", "hybrid"),
			},
		},
	}
}

func agentTemplate() StarterTemplate {
	return StarterTemplate{
		Name:        "AI agent",
		ProfileType: ProfileAgent,
		Description: "An AI agent working alongside people: its mandate and tasks, how autonomous it is and who supervises it, its guardrails and permissions, tools and escalation.",
		Definition: Definition{
			Sections: []Section{
				goalsSection(
					Field{Key: "purpose", Label: "Purpose", Help: "Why this agent exists, in one or two sentences.", Kind: KindText, Required: true, MaxLength: 500},
					sList("goals", "Objectives", "Outcomes it is accountable for."),
					sList("tasks", "Tasks", "What it actually does, one task per line."),
					sList("serves_personas", "Works for", "The personas it assists."),
				),
				{
					Key: "oversight", Label: "Autonomy & oversight", Help: "How far it may act alone, and which human watches.",
					Fields: []Field{
						sChoice("autonomy_level", "Autonomy level", "", "Suggests only", "Drafts for approval", "Acts with review afterwards", "Acts autonomously within limits"),
						sText("supervisor_role", "Supervised by", "The human role accountable for its work.", 200),
						{Key: "supervising_persona", Label: "Supervising persona", Help: "The UX persona of the people who supervise it.",
							Kind: KindPersona, ProfileTypes: []ProfileType{ProfileUX}},
						sChoice("review_cadence", "Review cadence", "", "Every action", "Daily sample", "Weekly", "On exception"),
					},
				},
				{
					Key: "guardrails", Label: "Guardrails", Help: "Rules it must never break.",
					Fields: []Field{
						sList("guardrails", "Guardrails", ""),
						sMulti("data_access", "Data it may read", "", "Public data", "Internal documents", "Customer data", "Financial records", "Personal data"),
					},
				},
				{
					Key: "permissions", Label: "Permissions", Help: "What it may do alone, with approval, or never.",
					Fields: []Field{
						sList("permissions", "Allowed", "Actions it may take without asking."),
						sList("approval_required", "Needs human approval", ""),
						sList("forbidden_actions", "Forbidden", "Actions it must never take."),
					},
				},
				{
					Key: "tools", Label: "Tools & integrations", Help: "What it can reach.",
					Fields: []Field{
						sTags("tools", "Tools", "Systems and APIs it calls."),
						sList("integrations", "Integrations", ""),
						sText("model", "Model / provider", "", 200),
					},
				},
				{
					Key: "escalation", Label: "Escalation", Help: "When and how it hands over to a human.",
					Labels: sLabels("", "", "", "Escalation"),
					Fields: []Field{
						sList("escalation_triggers", "Escalation triggers", "Situations that make it stop and ask."),
						sText("escalates_to", "Escalates to", "The role it hands over to.", 200),
						sList("failure_modes", "Known failure modes", "Where it has gone wrong or is likely to."),
					},
				},
				{
					Key: "context", Label: "Context & sources", Help: "Where it runs and how it is documented.",
					Fields: []Field{
						sMarkdown("context", "Context", ""),
						sURL("research_link", "Runbook", "Link to its runbook or design document."),
						sDate("research_date", "Last evaluated on", "When its behaviour was last evaluated."),
					},
				},
			},
			Dimensions: []Dimension{
				sDim("autonomy", "Autonomy", "How freely it acts without a human.", "Suggests only", "Acts alone"),
				decisionAuthority(),
				riskTolerance("Risk appetite"),
				sDim("oversight_intensity", "Oversight intensity", "How closely humans check its work.", "Spot checks", "Every action reviewed"),
				sDim("data_sensitivity", "Data sensitivity", "How sensitive the data it touches is.", "Public", "Highly confidential"),
			},
		},
	}
}

// sensitive marks a starter field as never shared outside the
// organisation (a deal size is the seller's business, not the buyer's).
func sensitive(f Field) Field {
	f.Sensitive = true
	return f
}
