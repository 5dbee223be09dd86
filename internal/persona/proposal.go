package persona

import (
	"maps"
	"slices"
	"time"
)

// ProposalStatus is where a change proposal stands.
type ProposalStatus string

// Proposal statuses. Only an open proposal can be accepted, declined or
// withdrawn; the other three are final.
const (
	ProposalOpen      ProposalStatus = "open"
	ProposalAccepted  ProposalStatus = "accepted"
	ProposalDeclined  ProposalStatus = "declined"
	ProposalWithdrawn ProposalStatus = "withdrawn"
)

// Proposal is a proposed revision of a persona — a pull request for a
// persona: the full proposed content, based on the revision it was made
// from, with a message. Anyone who may comment may propose; owners and
// editors decide.
type Proposal struct {
	ID        string `json:"id"`
	OrgID     string `json:"-"`
	PersonaID string `json:"persona_id"`
	// BaseRevision is the persona revision the proposal was made from; the
	// three-way merge at accept time uses it as the common ancestor.
	BaseRevision int            `json:"base_revision"`
	Message      string         `json:"message"`
	Content      Content        `json:"content"`
	Status       ProposalStatus `json:"status"`
	AuthorID     string         `json:"author_id"`
	AuthorName   string         `json:"author_name,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	DecidedBy    string         `json:"decided_by,omitempty"`
	DeciderName  string         `json:"decider_name,omitempty"`
	DecidedAt    *time.Time     `json:"decided_at,omitempty"`
	// Reason is the decider's reason (for a decline, mostly).
	Reason string `json:"reason,omitempty"`
	// AppliedRevision is the persona revision an accept made.
	AppliedRevision int `json:"applied_revision,omitempty"`
	// PersonaName is the persona's current name (for listings).
	PersonaName string `json:"persona_name,omitempty"`
	// VariantID is set when the proposal targets one customer variant's
	// overrides: BaseRevision and AppliedRevision are then the variant's
	// revisions, Variant holds the proposed overrides and Content is
	// unused (proposal_variant.go).
	VariantID string          `json:"variant_id,omitempty"`
	Variant   *VariantContent `json:"variant,omitempty"`
}

// Open reports whether the proposal still awaits a decision.
func (p Proposal) Open() bool { return p.Status == ProposalOpen }

// MaxProposalMessage limits a proposal's message and a decision's reason.
const MaxProposalMessage = 2000

// Resolution is the accepter's choice for one conflicting field.
type Resolution string

// Resolutions: keep the persona's current value, or take the proposal's.
const (
	ResolveCurrent  Resolution = "current"
	ResolveProposed Resolution = "proposed"
)

// MergeConflict is one field both the proposal and the persona changed
// since the proposal's base, differently.
type MergeConflict struct {
	Path     string `json:"path"`
	Label    string `json:"label"`
	Base     any    `json:"base,omitempty"`
	Current  any    `json:"current,omitempty"`
	Proposed any    `json:"proposed,omitempty"`
}

// MergeResult is a three-way merge of a proposal into the current persona.
type MergeResult struct {
	// Merged holds every non-conflicting change; conflicting fields keep
	// the current value until resolved.
	Merged Content `json:"-"`
	// Applied lists the paths the proposal changes in Merged.
	Applied   []string        `json:"applied"`
	Conflicts []MergeConflict `json:"conflicts"`
}

// mergePaths are the top-level properties a proposal may change. The
// template version and retired values always stay the current ones: a
// proposal is re-validated against the version the persona is on now.
var mergePaths = []struct{ path, label string }{
	{"name", "Name"}, {"summary", "Summary"}, {"status", "Status"}, {"group_id", "Group"},
	{"owner_id", "Owner"}, {"last_reviewed_on", "Last reviewed"}, {"review_interval_days", "Review interval (days)"},
}

// Merge3 merges proposed (made from base) into current field by field:
// a field only the proposal changed takes the proposal's value, a field
// only current changed stays, a field both changed to the same value is
// no conflict, and a field both changed differently is a conflict (the
// merged content keeps current's value there). Pure; inputs unchanged.
func Merge3(def Definition, base, current, proposed Content) MergeResult {
	res := MergeResult{Merged: cloneContent(current), Applied: []string{}, Conflicts: []MergeConflict{}}
	one := func(path, label string, b, c, p any, set func(any)) {
		pChanged := !sameMerge(b, p)
		if !pChanged {
			return
		}
		cChanged := !sameMerge(b, c)
		switch {
		case !cChanged:
			set(p)
			res.Applied = append(res.Applied, path)
		case sameMerge(c, p):
			// both made the same change
		default:
			res.Conflicts = append(res.Conflicts, MergeConflict{Path: path, Label: label, Base: b, Current: c, Proposed: p})
		}
	}
	m := &res.Merged
	for _, tp := range mergePaths {
		b, c, p := topValue(base, tp.path), topValue(current, tp.path), topValue(proposed, tp.path)
		one(tp.path, tp.label, b, c, p, func(v any) { setTop(m, tp.path, v) })
	}
	fieldLabel := func(k string) string {
		if f, ok := def.Field(k); ok && f.Label != "" {
			return f.Label
		}
		return k
	}
	dimLabel := func(k string) string {
		if d, ok := def.Dimension(k); ok && d.Label != "" {
			return d.Label
		}
		return k
	}
	var dimKeys []string
	for _, d := range def.Dimensions {
		dimKeys = append(dimKeys, d.Key)
	}
	mergeMap := func(prefix string, order []string, b, c, p Values, dst Values, label func(string) string) {
		for _, k := range orderedKeys(order, union(b, c), p) {
			one(prefix+k, label(k), b[k], c[k], p[k], func(v any) {
				if isEmptyValue(v) {
					delete(dst, k)
				} else {
					dst[k] = v
				}
			})
		}
	}
	mergeMap("values.", def.FieldKeys(), base.Values, current.Values, proposed.Values, m.Values, fieldLabel)
	mergeMap("dimensions.", dimKeys, base.Dimensions, current.Dimensions, proposed.Dimensions, m.Dimensions, dimLabel)
	return res
}

// Resolve applies the accepter's choices to a merge result. Every conflict
// needs a choice; the paths still unresolved come back (and the content is
// then not to be used).
func (r MergeResult) Resolve(choices map[string]Resolution) (Content, []string) {
	out := cloneContent(r.Merged)
	var missing []string
	for _, c := range r.Conflicts {
		switch choices[c.Path] {
		case ResolveCurrent:
		case ResolveProposed:
			setPath(&out, c.Path, c.Proposed)
		default:
			missing = append(missing, c.Path)
		}
	}
	return out, missing
}

// ProposalChanges lists what a proposal changes against a content (its
// base or the current persona), limited to what a proposal may change.
func ProposalChanges(def Definition, against, proposed Content) []Change {
	p := proposed
	p.TemplateVersion, p.Retired = against.TemplateVersion, against.Retired
	return Diff(def, against, p)
}

func sameMerge(a, b any) bool {
	ea, eb := isEmptyValue(a), isEmptyValue(b)
	if ea || eb {
		return ea == eb
	}
	return sameJSON(a, b)
}

func union(a, b Values) Values {
	out := maps.Clone(a)
	if out == nil {
		out = Values{}
	}
	maps.Copy(out, b)
	return out
}

func cloneContent(c Content) Content {
	out := c
	out.Values = maps.Clone(c.Values)
	if out.Values == nil {
		out.Values = Values{}
	}
	out.Dimensions = maps.Clone(c.Dimensions)
	if out.Dimensions == nil {
		out.Dimensions = Values{}
	}
	out.Retired = maps.Clone(c.Retired)
	return out
}

func topValue(c Content, path string) any {
	switch path {
	case "name":
		return c.Name
	case "summary":
		return c.Summary
	case "status":
		return string(c.Status)
	case "group_id":
		return c.GroupID
	case "owner_id":
		return c.OwnerID
	case "last_reviewed_on":
		return c.LastReviewedOn
	case "review_interval_days":
		if c.ReviewIntervalDays == 0 {
			return nil
		}
		return c.ReviewIntervalDays
	}
	return nil
}

func setTop(c *Content, path string, v any) {
	s, _ := v.(string)
	switch path {
	case "name":
		c.Name = s
	case "summary":
		c.Summary = s
	case "status":
		c.Status = Status(s)
	case "group_id":
		c.GroupID = s
	case "owner_id":
		c.OwnerID = s
	case "last_reviewed_on":
		c.LastReviewedOn = s
	case "review_interval_days":
		n, _ := v.(int)
		c.ReviewIntervalDays = n
	}
}

func setPath(c *Content, path string, v any) {
	for _, pre := range []struct {
		prefix string
		m      Values
	}{{"values.", c.Values}, {"dimensions.", c.Dimensions}} {
		if k, ok := cutPrefixP(path, pre.prefix); ok {
			if isEmptyValue(v) {
				delete(pre.m, k)
			} else {
				pre.m[k] = v
			}
			return
		}
	}
	if slices.ContainsFunc(mergePaths, func(p struct{ path, label string }) bool { return p.path == path }) {
		setTop(c, path, v)
	}
}

func cutPrefixP(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}
