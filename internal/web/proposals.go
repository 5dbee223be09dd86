package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Change proposals (docs/proposals.md): anyone who may comment (viewers
// included) proposes a change from the persona page with a form like the
// edit form; owners and editors accept it (choosing per field when the
// persona changed meanwhile) or decline it with a reason; the proposer
// may withdraw it. When the organisation requires sign-off, the edit form
// of a published persona sends a proposal instead of saving.
func (h *Handler) proposalRoutes() {
	// A viewer may propose and withdraw: those forms need only membership
	// before their body is read; the app checks who may do what.
	viewerForm := body{limit: func() int64 { return formBody }, parse: true, minRole: persona.RoleViewer}
	h.org("GET /o/{org}/personas/{id}/propose", h.proposeForm)
	h.orgRoute("POST /o/{org}/personas/{id}/proposals", viewerForm, h.createProposal)
	h.org("GET /o/{org}/personas/{id}/proposals", h.personaProposalsPage)
	h.org("GET /o/{org}/proposals", h.proposalsPage)
	h.org("GET /o/{org}/proposals/{id}", h.proposalPage)
	h.org("POST /o/{org}/proposals/{id}/accept", h.acceptProposal)
	h.org("POST /o/{org}/proposals/{id}/decline", h.declineProposal)
	h.orgRoute("POST /o/{org}/proposals/{id}/withdraw", viewerForm, h.withdrawProposal)
	h.upload("POST /o/{org}/settings/proposals", persona.RoleAdmin, func() int64 { return smallBody }, true, h.setRequiresProposals)
}

// proposeView turns the persona form into a proposal form.
type proposeView struct {
	// SignOff: the organisation changes published personas only through
	// accepted proposals, so the edit form proposes.
	SignOff bool
	Message string
	Error   string
}

// proposalLine is the persona page's "Propose a change" and the count of
// open proposals (partials/proposals.html).
type proposalLine struct {
	Open       int
	ProposeURL string
	ListURL    string
}

// personaProposals reads the line for a persona page; a failure leaves
// it out rather than failing the page.
func (h *Handler) personaProposals(r *http.Request, c *Ctx, p persona.Persona) *proposalLine {
	n, err := h.svc.CountOpenProposals(r.Context(), c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		h.log.Warn("proposals: counting", "err", err)
		return nil
	}
	base := "/o/" + c.Org.Slug + "/personas/" + p.ID
	return &proposalLine{Open: n, ProposeURL: base + "/propose", ListURL: base + "/proposals"}
}

func proposalsURL(org, personaID string) string {
	return "/o/" + org + "/personas/" + personaID + "/proposals"
}

// proposalForm is the edit form of p set up to send a proposal.
func (h *Handler) proposalForm(r *http.Request, c *Ctx, p persona.Persona, signOff bool) (personaFormView, error) {
	v, err := h.editFormView(r, c, p)
	if err != nil {
		return v, err
	}
	v.Action = proposalsURL(c.Org.Slug, p.ID)
	v.Propose = &proposeView{SignOff: signOff}
	return v, nil
}

// signOff reports whether a direct edit of p would be refused.
func (h *Handler) signOff(r *http.Request, c *Ctx, p persona.Persona) bool {
	if p.Status != persona.StatusPublished {
		return false
	}
	on, err := h.svc.RequiresProposals(r.Context(), c.Actor, c.Org.Slug)
	return err == nil && on
}

func (h *Handler) proposeForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.proposalForm(r, c, p, h.signOff(r, c, p))
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "persona_form", "Propose a change to "+p.Name, v)
}

// createProposal sends the form as a proposal based on the revision the
// form was opened at. Refused input comes back in the form as typed.
func (h *Handler) createProposal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	cur, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, cur)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(r.PostForm.Get("revision"))
	in := readPersonaForm(r, ver.Definition)
	in.TemplateID = ""
	keepChoiceOrder(ver.Definition, in.Values, cur.Values)
	msg := r.PostForm.Get("proposal_message")
	if msg == "" {
		msg = in.Message // the edit form's history note, when it was sent as a proposal
	}
	pr, err := h.svc.CreateProposal(ctx, c.Actor, c.Org.Slug, cur.ID, app.ProposalInput{Persona: in, BaseRevision: base, Message: msg})
	if err == nil {
		return redirect(w, r, app.ProposalPath(c.Org.Slug, pr.ID), "Proposal sent. The persona's owner has been told.")
	}
	v, verr := h.proposalForm(r, c, cur, h.signOff(r, c, cur))
	if verr != nil {
		return verr
	}
	v.Content = contentOf(in)
	v.Content.TemplateVersion = cur.TemplateVersion
	if base > 0 {
		v.Revision = base
	}
	v.Propose.Message = msg
	if !formErrors(&v, err) {
		return err
	}
	if m, ok := v.Errors["proposal_message"]; ok {
		v.Propose.Error = "Message " + m
		delete(v.Errors, "proposal_message")
		v.ErrorCount--
	}
	if m, ok := v.Errors["values"]; ok { // "the proposal changes nothing"
		v.Errors["form"] = "The proposal " + strings.TrimPrefix(m, "the proposal ") + ": change at least one field."
		delete(v.Errors, "values")
	}
	if err := h.fillForm(r, c, &v, ver.Definition); err != nil {
		return err
	}
	if v.ErrorCount == 0 && v.Propose.Error != "" {
		v.ErrorCount = 1
		v.Errors["form"] = v.Propose.Error
	}
	return h.render(w, r, c, http.StatusUnprocessableEntity, "persona_form", "Propose a change to "+cur.Name, v)
}

// keepChoiceOrder keeps a multiple-choice value as stored when the form
// sent the same choices in the options' order: the form cannot show the
// stored order, and a proposal should not list a change nobody made.
func keepChoiceOrder(def persona.Definition, values, stored persona.Values) {
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if f.Kind != persona.KindMultiChoice {
				continue
			}
			got, had := valueList(values[f.Key]), valueList(stored[f.Key])
			if len(got) > 0 && len(got) == len(had) && !slices.Equal(got, had) {
				a, b := slices.Clone(got), slices.Clone(had)
				slices.Sort(a)
				slices.Sort(b)
				if slices.Equal(a, b) {
					values[f.Key] = stored[f.Key]
				}
			}
		}
	}
}

// ---- lists ----

var proposalStatuses = []persona.ProposalStatus{persona.ProposalOpen, persona.ProposalAccepted, persona.ProposalDeclined, persona.ProposalWithdrawn}

type proposalsView struct {
	Persona *persona.Persona // nil: the organisation's list
	Status  persona.ProposalStatus
	Tabs    []proposalTab
	Rows    []persona.Proposal
	BaseURL string
	Empty   string // "open", "accepted"… for the empty list's sentence
}

type proposalTab struct {
	Status  persona.ProposalStatus
	Label   string
	N       int
	URL     string
	Current bool
}

func statusLabel(s persona.ProposalStatus) string {
	switch s {
	case persona.ProposalOpen:
		return "Open"
	case persona.ProposalAccepted:
		return "Accepted"
	case persona.ProposalDeclined:
		return "Declined"
	case persona.ProposalWithdrawn:
		return "Withdrawn"
	}
	return string(s)
}

func init() {
	funcs["proposalStatus"] = func(s persona.ProposalStatus) string { return statusLabel(s) }
}

func (h *Handler) proposalsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderProposals(w, r, c, nil)
}

func (h *Handler) personaProposalsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.renderProposals(w, r, c, &p)
}

func (h *Handler) renderProposals(w http.ResponseWriter, r *http.Request, c *Ctx, p *persona.Persona) error {
	pid, title, base := "", "Proposals — "+c.Org.Name, "/o/"+c.Org.Slug+"/proposals"
	if p != nil {
		pid, title, base = p.ID, "Proposals — "+p.Name, proposalsURL(c.Org.Slug, p.ID)
	}
	all, err := h.svc.ListProposals(r.Context(), c.Actor, c.Org.Slug, pid)
	if err != nil {
		return err
	}
	status := persona.ProposalStatus(r.URL.Query().Get("status"))
	if !slices.Contains(proposalStatuses, status) {
		status = persona.ProposalOpen
	}
	v := proposalsView{Persona: p, Status: status, BaseURL: base, Empty: strings.ToLower(statusLabel(status))}
	for _, s := range proposalStatuses {
		t := proposalTab{Status: s, Label: statusLabel(s), URL: base + "?status=" + string(s), Current: s == status}
		for _, pr := range all {
			if pr.Status == s {
				t.N++
			}
		}
		v.Tabs = append(v.Tabs, t)
	}
	for _, pr := range all {
		if pr.Status == status {
			v.Rows = append(v.Rows, pr)
		}
	}
	return h.render(w, r, c, http.StatusOK, "proposals", title, v)
}

// ---- one proposal ----

// proposalPageView is a proposal with its diff, and the forms its reader
// may use: accept (with a choice per conflicting field), decline with a
// reason, withdraw.
type proposalPageView struct {
	V          app.ProposalView
	PersonaURL string
	Changes    []persona.Change // what the proposer changed (against the base)
	Conflicts  []conflictChoice
	// Applied names the fields an accept takes from the proposal without
	// asking.
	Applied []string
	// Refused is why an accept or a decline was refused.
	Refused       string
	Reason        string // the decline reason as typed
	ReasonError   string
	ConflictCount int
	// What the proposal changes ("persona" or "variant") and its current
	// revision.
	What    string
	Current int
	// Comments is the proposal's discussion (owners, editors, the
	// proposer and anyone who may comment).
	Comments *commentsView
}

// conflictChoice is one field both the proposal and a later save changed:
// its value when the proposal was made, the value saved since (theirs),
// the proposed one, and the choice.
type conflictChoice struct {
	Path, Label, ID         string
	Base, Current, Proposed any    // group and owner by name
	Choice                  string // "current", "proposed" or "" (not chosen yet)
	Error                   string
}

func (h *Handler) proposalPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.proposalPageOf(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.renderProposal(w, r, c, http.StatusOK, v)
}

func (h *Handler) renderProposal(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v proposalPageView) error {
	title := "Proposal on " + v.V.Proposal.PersonaName
	return h.render(w, r, c, status, "proposal", title, v)
}

func (h *Handler) proposalPageOf(r *http.Request, c *Ctx, id string) (proposalPageView, error) {
	pv, err := h.svc.GetProposal(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return proposalPageView{}, err
	}
	names, err := h.refNames(r, c)
	if err != nil {
		return proposalPageView{}, err
	}
	v := proposalPageView{V: pv, PersonaURL: "/o/" + c.Org.Slug + "/personas/" + pv.Persona.ID,
		Changes: namedChanges(pv.AgainstBase, names)}
	for _, cf := range pv.Merge.Conflicts {
		cc := conflictChoice{Path: cf.Path, Label: cf.Label, ID: "resolve-" + strings.ReplaceAll(cf.Path, ".", "-"),
			Base: named(cf.Path, cf.Base, names), Current: named(cf.Path, cf.Current, names), Proposed: named(cf.Path, cf.Proposed, names)}
		v.Conflicts = append(v.Conflicts, cc)
	}
	v.ConflictCount = len(v.Conflicts)
	cv, err := h.commentsFor(r, c, persona.CommentOnProposal, pv.Proposal.ID, nil)
	if err != nil {
		return proposalPageView{}, err
	}
	v.Comments = &cv
	v.What, v.Current = "persona", pv.Persona.Revision
	if pv.Variant != nil {
		v.What, v.Current = "variant", pv.Variant.Revision
	}
	labels := map[string]string{}
	for _, ch := range pv.AgainstBase {
		labels[ch.Path] = ch.Label
	}
	for _, p := range pv.Merge.Applied {
		if l := labels[p]; l != "" {
			v.Applied = append(v.Applied, l)
		} else {
			v.Applied = append(v.Applied, p)
		}
	}
	return v, nil
}

// refNames maps group and member IDs to names, for the diff.
func (h *Handler) refNames(r *http.Request, c *Ctx) (map[string]string, error) {
	names, err := h.memberNames(r, c)
	if err != nil {
		return nil, err
	}
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	return names, nil
}

// named shows a group or an owner by name.
func named(path string, v any, names map[string]string) any {
	if path != "group_id" && path != "owner_id" {
		return v
	}
	if s, ok := v.(string); ok && s != "" {
		if n, ok := names[s]; ok {
			return n
		}
		return "a former member"
	}
	return v
}

func namedChanges(cs []persona.Change, names map[string]string) []persona.Change {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Before = named(out[i].Path, out[i].Before, names)
		out[i].After = named(out[i].Path, out[i].After, names)
	}
	return out
}

// acceptProposal applies the proposal with the posted choices; while a
// conflicting field has no choice, the page comes back (409) naming it,
// with the choices already made kept.
func (h *Handler) acceptProposal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	choices := map[string]persona.Resolution{}
	for k, vals := range r.PostForm {
		if path, ok := strings.CutPrefix(k, "resolve."); ok && len(vals) > 0 {
			choices[path] = persona.Resolution(vals[0])
		}
	}
	pr, p, err := h.svc.AcceptProposal(r.Context(), c.Actor, c.Org.Slug, id, choices)
	if err == nil && pr.VariantID != "" {
		return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+pr.VariantID,
			"Proposal accepted: saved as revision "+strconv.Itoa(pr.AppliedRevision)+" of the variant, by "+nameOr(pr.AuthorName, "the proposer")+".")
	}
	if err == nil {
		return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID,
			"Proposal accepted: saved as revision "+strconv.Itoa(pr.AppliedRevision)+", by "+nameOr(pr.AuthorName, "the proposer")+".")
	}
	e, ok := persona.AsError(err)
	if !ok || (e.Code != persona.CodeConflict && e.Code != persona.CodeInvalid) {
		return err
	}
	v, verr := h.proposalPageOf(r, c, id)
	if verr != nil {
		return verr
	}
	v.Refused = e.Message
	missing := map[string]string{}
	for _, fe := range e.Fields {
		missing[fe.Field] = fe.Message
	}
	for i := range v.Conflicts {
		cc := &v.Conflicts[i]
		cc.Choice = string(choices[cc.Path])
		if _, ok := missing[cc.Path]; ok && e.Code == persona.CodeConflict {
			cc.Error = "Choose a value for " + cc.Label + "."
		}
	}
	if e.Code == persona.CodeInvalid && len(e.Fields) > 0 {
		var parts []string
		for _, fe := range e.Fields {
			parts = append(parts, fe.Field+" "+fe.Message)
		}
		v.Refused = e.Message + ": " + strings.Join(parts, "; ") + "."
	}
	return h.renderProposal(w, r, c, statusFor(e.Code), v)
}

func (h *Handler) declineProposal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, reason := r.PathValue("id"), r.PostForm.Get("reason")
	pr, err := h.svc.DeclineProposal(r.Context(), c.Actor, c.Org.Slug, id, reason)
	if err == nil {
		return redirect(w, r, app.ProposalPath(c.Org.Slug, pr.ID), "Proposal declined. "+nameOr(pr.AuthorName, "The proposer")+" has been told.")
	}
	if persona.ErrorCode(err) != persona.CodeInvalid {
		return err
	}
	v, verr := h.proposalPageOf(r, c, id)
	if verr != nil {
		return verr
	}
	v.Reason = reason
	v.ReasonError = "Reason is too long: at most " + strconv.Itoa(persona.MaxProposalMessage) + " characters."
	if e, ok := persona.AsError(err); ok && len(e.Fields) > 0 {
		v.ReasonError = "Reason " + e.Fields[0].Message + "."
	}
	return h.renderProposal(w, r, c, http.StatusUnprocessableEntity, v)
}

func (h *Handler) withdrawProposal(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	pr, err := h.svc.WithdrawProposal(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, app.ProposalPath(c.Org.Slug, pr.ID), "Proposal withdrawn.")
}

// ---- the organisation setting ----

// proposalSetting is the sign-off block on the settings page.
type proposalSetting struct {
	On bool
}

func (h *Handler) proposalSettingOf(r *http.Request, c *Ctx) proposalSetting {
	on, err := h.svc.RequiresProposals(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		h.log.Warn("proposals: reading the setting", "err", err)
	}
	return proposalSetting{On: on}
}

func (h *Handler) setRequiresProposals(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	on := r.PostForm.Get("require_proposals") != ""
	if err := h.svc.SetRequiresProposals(r.Context(), c.Actor, c.Org.Slug, on); err != nil {
		return err
	}
	msg := "Published personas can be edited directly again."
	if on {
		msg = "Published personas now change only through accepted proposals."
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/settings#settings-proposals", msg)
}

func nameOr(name, fallback string) string {
	if strings.TrimSpace(name) == "" {
		return fallback
	}
	return name
}
