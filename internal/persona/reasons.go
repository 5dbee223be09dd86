package persona

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Reasons in words. A rule's outcome reads as a sentence about the
// customer (or the role) by name, with field labels and option labels, never
// keys: "Big Bank’s risk tolerance is 1 — at most 2 calls for approval
// workflows", "Big Bank’s core systems include SAP, which this module
// supports". RuleSentence describes a rule itself, before any customer is
// known: "When the customer’s risk tolerance is at most 2".

type evalEnv struct {
	subject   *Subject
	archetype *Subject
	// item names what the rules are for ("approval workflows") and kind
	// its kind; both empty when unknown (no tail on the sentence).
	item string
	kind ItemKind
}

// EvaluateRules evaluates rules for an archetype (modules and packs), with
// reasons that name the archetype but not the item.
func EvaluateRules(rules []Rule, minScore float64, archetype Subject) Evaluation {
	return evaluate(rules, minScore, evalEnv{subject: &archetype, archetype: &archetype})
}

// EvaluateItemRules is EvaluateRules for a named catalogue item: the
// reasons say what the customer's values call for.
func EvaluateItemRules(rules []Rule, minScore float64, archetype Subject, kind ItemKind, name string) Evaluation {
	return evaluate(rules, minScore, evalEnv{subject: &archetype, archetype: &archetype, item: name, kind: kind})
}

// EvaluateRoleRules evaluates a dashboard's rules for a role, with the
// archetype readable through "archetype." paths; name is the dashboard's.
func EvaluateRoleRules(rules []Rule, minScore float64, role, archetype Subject, name string) Evaluation {
	return evaluate(rules, minScore, evalEnv{subject: &role, archetype: &archetype, item: name, kind: ItemDashboard})
}

func evaluate(rules []Rule, minScore float64, env evalEnv) Evaluation {
	if len(rules) == 0 {
		return Evaluation{Applies: true, Baseline: true, Reasons: []string{"part of every setup"}}
	}
	var ev Evaluation
	for _, r := range rules {
		holds, parts := evalRule(r, env)
		weight := r.Weight
		if weight == 0 {
			weight = 1
		}
		joiner := " and "
		if r.Match == MatchAny && !holds {
			joiner = " or "
		}
		text := joinClauses(parts, joiner)
		switch {
		case holds && weight > 0:
			ev.Score += weight
			ev.Reasons = append(ev.Reasons, withNote(text+env.tail(parts), r.Note))
		case holds:
			ev.Score += weight
			ev.Against = append(ev.Against, withNote("held back: "+text, r.Note))
		case weight > 0:
			ev.Against = append(ev.Against, withNote("not met: "+text, r.Note))
		}
	}
	ev.Score = math.Round(ev.Score*1000) / 1000
	if minScore > 0 {
		ev.Applies = ev.Score >= minScore
	} else {
		ev.Applies = ev.Score > 0
	}
	return ev
}

func withNote(s, note string) string {
	if note != "" {
		return s + " (" + note + ")"
	}
	return s
}

// clause is one condition's outcome in words: whose value (subject, "" for
// none), the field's label and the rest ("is 1 — at most 2").
type clause struct {
	subject string
	label   string
	rest    string
	op      Op
}

// joinClauses joins the clauses, naming a subject once: "Big Bank’s
// regulated is Yes and its regulatory pressure is 5 — at least 4".
func joinClauses(cs []clause, joiner string) string {
	var b strings.Builder
	prev := ""
	for i, c := range cs {
		if i > 0 {
			b.WriteString(joiner)
		}
		switch {
		case c.subject == "":
		case c.subject == prev:
			b.WriteString("its ")
		default:
			b.WriteString(c.subject + "’s ")
		}
		prev = c.subject
		b.WriteString(c.label + " " + c.rest)
	}
	return b.String()
}

// tail ends a holding rule's sentence with what it calls for, by the last
// condition's kind: a threshold "calls for approval workflows", a match
// is one "this module supports".
func (env evalEnv) tail(cs []clause) string {
	if env.item == "" || len(cs) == 0 {
		return ""
	}
	switch cs[len(cs)-1].op {
	case OpLTE, OpGTE:
		return " calls for " + lowerLabel(env.item)
	case OpOneOf, OpEquals, OpContains:
		return ", which this " + env.kind.noun() + " supports"
	}
	return ""
}

func (k ItemKind) noun() string {
	switch k {
	case ItemPack:
		return "content pack"
	case ItemDashboard:
		return "dashboard"
	}
	return "module"
}

// evalRule evaluates one rule: whether it holds and the clauses to explain
// it (for all: every condition's clause when it holds, the failing ones
// otherwise; for any: the holding ones when it holds, all otherwise).
func evalRule(r Rule, env evalEnv) (bool, []clause) {
	var held, failed []clause
	for _, c := range r.Conditions {
		ok, cl := evalClause(c, env)
		if ok {
			held = append(held, cl)
		} else {
			failed = append(failed, cl)
		}
	}
	if r.Match == MatchAny {
		if len(held) > 0 {
			return true, held
		}
		return false, failed
	}
	if len(failed) == 0 && len(held) > 0 {
		return true, held
	}
	return false, failed
}

// EvaluateCondition evaluates one condition for an archetype, with the
// text explaining the outcome.
func EvaluateCondition(c Condition, archetype Subject) (bool, string) {
	ok, cl := evalClause(c, evalEnv{subject: &archetype, archetype: &archetype})
	return ok, joinClauses([]clause{cl}, "")
}

// fieldFacts are what a condition's sentence needs of the field it reads.
type fieldFacts struct {
	label   string
	plural  bool
	options []string // choice options, as they are spelled
}

func factsOf(d Definition, section, key string) fieldFacts {
	ff := fieldFacts{label: strings.ReplaceAll(key, "_", " ")}
	if section == "values" {
		if f, ok := d.Field(key); ok {
			ff.label = f.Label
			ff.plural = f.Kind == KindList || f.Kind == KindTags || f.Kind == KindMultiChoice
			ff.options = f.Options
		}
	} else if dim, ok := d.Dimension(key); ok {
		ff.label = dim.Label
		ff.options = dim.Options
	}
	if ff.label == "" {
		ff.label = strings.ReplaceAll(key, "_", " ")
	}
	ff.label = lowerLabel(ff.label)
	return ff
}

// spell writes a value as the field's options spell it ("private cloud" →
// "Private cloud").
func (ff fieldFacts) spell(s string) string {
	for _, o := range ff.options {
		if strings.EqualFold(o, s) {
			return o
		}
	}
	return s
}

// spellLike writes a matched value the way the rule does when the rule
// capitalises it and the value does not ("sap" matched by "SAP").
func (ff fieldFacts) spellLike(actual, rule string) string {
	actual = ff.spell(actual)
	if strings.EqualFold(actual, rule) && upperCount(rule) > upperCount(actual) {
		return rule
	}
	return actual
}

func upperCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

func (ff fieldFacts) spellValue(v any) string {
	if items, ok := listOf(v); ok {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = ff.spell(it)
		}
		return describeValue(out)
	}
	return ff.spell(describeValue(v))
}

// orList joins options as a sentence does: "A, B or C".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func evalClause(c Condition, env evalEnv) (bool, clause) {
	arch, section, key, ok := ParseFieldPath(c.Field)
	if !ok {
		return false, clause{label: fmt.Sprintf("%q", c.Field), rest: "is not a field"}
	}
	s := env.subject
	if arch {
		s = env.archetype
	}
	var actual any
	if section == "values" {
		actual = s.Values[key]
	} else {
		actual = s.Dimensions[key]
	}
	ff := factsOf(s.Definition, section, key)
	cl := clause{subject: s.Ref.Name, label: ff.label, op: c.Op}
	if _, isList := listOf(actual); isList {
		ff.plural = true
	}
	is, isNot := "is", "is not"
	if ff.plural {
		is, isNot = "are", "are not"
	}
	say := func(ok bool, rest string) (bool, clause) {
		cl.rest = rest
		return ok, cl
	}
	present := !isEmptyValue(actual)
	switch c.Op {
	case OpPresent:
		if present {
			return say(true, is+" set")
		}
		return say(false, isNot+" set")
	case OpAbsent:
		if present {
			return say(false, is+" set")
		}
		return say(true, isNot+" set")
	}
	if !present {
		return say(false, isNot+" set")
	}
	shown := ff.spellValue(actual)
	switch c.Op {
	case OpEquals:
		want, _ := scalarText(c.Value)
		want = ff.spell(want)
		if items, isList := listOf(actual); isList {
			if len(items) == 1 && sameScalar(items[0], c.Value) {
				return say(true, is+" "+shown)
			}
			return say(false, is+" "+shown+", not "+want)
		}
		if sameScalar(actual, c.Value) {
			return say(true, is+" "+shown)
		}
		return say(false, is+" "+shown+", not "+want)
	case OpOneOf:
		wants := oneOfValues(c.Value)
		spelled := make([]string, len(wants))
		for i, w := range wants {
			spelled[i] = ff.spell(w)
		}
		if items, isList := listOf(actual); isList {
			for _, it := range items {
				for _, w := range wants {
					if sameScalar(it, w) {
						return say(true, "include "+ff.spellLike(it, w))
					}
				}
			}
			return say(false, "include none of "+orList(spelled))
		}
		for _, w := range wants {
			if sameScalar(actual, w) {
				return say(true, is+" "+ff.spellLike(shown, w))
			}
		}
		return say(false, is+" "+shown+", not "+orList(spelled))
	case OpContains:
		want, _ := scalarText(c.Value)
		if items, isList := listOf(actual); isList {
			for _, it := range items {
				if sameScalar(it, want) {
					return say(true, "include "+ff.spellLike(it, want))
				}
			}
			return say(false, "do not include "+ff.spell(want))
		}
		text, _ := scalarText(actual)
		if strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
			return say(true, "mentions “"+want+"”")
		}
		return say(false, "does not mention “"+want+"”")
	case OpLTE, OpGTE:
		want, _, okW := toNumber(c.Value)
		n, okA := number(actual)
		if !okA {
			if f, _, ok := toNumber(actual); ok {
				n, okA = f, true
			}
		}
		if !okA || !okW {
			return say(false, is+" "+shown+", not a number")
		}
		w := formatNumber(want)
		if c.Op == OpLTE {
			if n <= want {
				return say(true, is+" "+shown+" — at most "+w)
			}
			return say(false, is+" "+shown+", more than "+w)
		}
		if n >= want {
			return say(true, is+" "+shown+" — at least "+w)
		}
		return say(false, is+" "+shown+", less than "+w)
	}
	return say(false, "has an unknown operator "+string(c.Op))
}

// RuleSentence describes a catalogue rule in words, before any customer
// is known: "When the customer’s risk tolerance is at most 2 (four-eyes
// principle)". whose names the subject of its fields ("the customer",
// "the role"); facts gives a condition field's label and whether it holds
// a list (ok false: unknown, the key is shown in words); "archetype."
// paths read the customer's.
func RuleSentence(r Rule, whose string, facts func(path string) (label string, list, ok bool)) string {
	var conds []string
	for _, c := range r.Conditions {
		arch, _, key, valid := ParseFieldPath(c.Field)
		if !valid {
			conds = append(conds, c.Field+" "+c.Op.Label())
			continue
		}
		label, list, known := facts(c.Field)
		if !known || label == "" {
			label = strings.ReplaceAll(key, "_", " ")
		}
		owner := whose
		if arch {
			owner = "the customer"
		}
		subject := owner + "’s " + lowerLabel(label)
		is := "is"
		if list {
			is = "include"
		}
		var phrase string
		switch c.Op {
		case OpEquals:
			v, _ := scalarText(c.Value)
			phrase = is + " " + v
		case OpOneOf:
			if list {
				phrase = "include " + orList(oneOfValues(c.Value))
			} else {
				phrase = "is " + orList(oneOfValues(c.Value))
			}
		case OpContains:
			v, _ := scalarText(c.Value)
			if list {
				phrase = "include " + v
			} else {
				phrase = "mentions “" + v + "”"
			}
		case OpLTE:
			n, _, _ := toNumber(c.Value)
			phrase = "is at most " + formatNumber(n)
		case OpGTE:
			n, _, _ := toNumber(c.Value)
			phrase = "is at least " + formatNumber(n)
		case OpPresent:
			phrase = "is filled in"
		case OpAbsent:
			phrase = "is not filled in"
		default:
			phrase = string(c.Op)
		}
		conds = append(conds, subject+" "+phrase)
	}
	joiner := " and "
	if r.Match == MatchAny {
		joiner = " or "
	}
	out := "When " + strings.Join(conds, joiner)
	weight := r.Weight
	if weight == 0 {
		weight = 1
	}
	switch {
	case weight < 0:
		out = "Holds it back w" + out[1:]
	case weight != 1:
		out += " (counts " + formatNumber(weight) + "×)"
	}
	if r.Note != "" {
		out += " — " + r.Note
	}
	return out
}
