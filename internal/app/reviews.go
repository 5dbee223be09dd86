package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Reviews: "mark reviewed" on a persona, the review history, the review
// filters and page, and the weekly digest to owners.
//
// A review sets the persona's LastReviewedOn without saving a revision: it
// changes no content, so the persona's revision (its ETag) stays and an
// edit form opened before the review still saves (no 412). That form
// still holds the old review date; UpdatePersona keeps the newer one
// unless the editor changed the date themselves (keepReviewDate).

type reviewStore interface {
	// CreateReview stores the review and sets the persona's
	// last_reviewed_on to its day (revision and updated_at unchanged);
	// not found when the persona is not live in the organisation.
	CreateReview(ctx context.Context, r persona.Review) error
	// ListReviews lists a persona's reviews, newest first.
	ListReviews(ctx context.Context, orgID, personaID string) ([]persona.Review, error)
	// LatestReviews returns each live persona's newest review, by persona.
	LatestReviews(ctx context.Context, orgID string) (map[string]persona.Review, error)
	// SetReviewDigest turns a user's weekly review digest on or off.
	SetReviewDigest(ctx context.Context, userID string, on bool, at time.Time) error
	// ReviewDigestOff reports whether the user turned the digest off.
	ReviewDigestOff(ctx context.Context, userID string) (bool, error)
	// AllOrgs lists every live organisation (instance-wide jobs then work
	// one organisation at a time).
	AllOrgs(ctx context.Context) ([]persona.Org, error)
	// ClaimDigestPeriod records that period's digest is sent; false when
	// it already was.
	ClaimDigestPeriod(ctx context.Context, period string, at time.Time) (bool, error)
}

// ReviewEntry is a review with its reviewer's name.
type ReviewEntry struct {
	persona.Review
	Reviewer string // name, e-mail when unnamed, "a former member" when gone
}

// MarkReviewed records that actor reviewed the persona today (UTC), with an
// optional note. Editors and above may.
func (s *Service) MarkReviewed(ctx context.Context, actor Actor, slug, personaID, note string) (persona.Review, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Review{}, err
	}
	note = strings.TrimSpace(note)
	if n := len([]rune(note)); n > persona.MaxReviewNote {
		return persona.Review{}, persona.Invalid("invalid review", []persona.FieldError{{Field: "note",
			Message: fmt.Sprintf("is %d characters; at most %d", n, persona.MaxReviewNote)}})
	}
	if persona.HasControl(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(note)) {
		return persona.Review{}, persona.Invalid("invalid review", []persona.FieldError{{Field: "note", Message: "must not contain control characters"}})
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return persona.Review{}, err
	}
	now := s.timestamp()
	r := persona.Review{ID: newID(), OrgID: org.ID, PersonaID: p.ID, ReviewerID: actor.UserID, Note: note,
		ReviewedOn: now.Format(time.DateOnly), CreatedAt: now}
	summary := "Reviewed " + p.Name
	if note != "" {
		summary += ": " + note
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "review", "persona", p.ID, summary), func(tx Store) error {
		return tx.CreateReview(ctx, r)
	}); err != nil {
		return persona.Review{}, err
	}
	return r, nil
}

// ListReviews lists a live persona's reviews, newest first, with names.
func (s *Service) ListReviews(ctx context.Context, actor Actor, slug, personaID string) ([]ReviewEntry, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetPersona(ctx, org.ID, personaID); err != nil {
		return nil, err
	}
	rs, err := s.store.ListReviews(ctx, org.ID, personaID)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	names, err := s.memberNames(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewEntry, len(rs))
	for i, r := range rs {
		out[i] = ReviewEntry{Review: r, Reviewer: cmp.Or(names[r.ReviewerID], "a former member")}
	}
	return out, nil
}

// memberNames maps the organisation's members to their names (e-mail
// when unnamed).
func (s *Service) memberNames(ctx context.Context, orgID string) (map[string]string, error) {
	ms, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.UserID] = cmp.Or(strings.TrimSpace(m.Name), m.Email)
	}
	return out, nil
}

// keepReviewDate is the review date a save writes: the submitted one,
// unless the editor left the form's date as it was when they opened it
// (base, their revision's) and a review has moved it on since (current).
func keepReviewDate(submitted, base, current string) string {
	if submitted == base && current > base {
		return current
	}
	return submitted
}

// ReviewFilter names a review filter of persona lists (home, API).
type ReviewFilter string

// The review filters.
const (
	ReviewAny     ReviewFilter = ""
	ReviewMine    ReviewFilter = "mine"    // personas the caller owns
	ReviewOverdue ReviewFilter = "overdue" // review date passed
	ReviewDue30   ReviewFilter = "due30"   // not overdue, due within 30 days
	ReviewUnowned ReviewFilter = "unowned" // no owner
)

// ParseReviewFilter checks a filter's name.
func ParseReviewFilter(v string) (ReviewFilter, error) {
	switch f := ReviewFilter(strings.TrimSpace(v)); f {
	case ReviewAny, ReviewMine, ReviewOverdue, ReviewDue30, ReviewUnowned:
		return f, nil
	}
	return "", persona.Invalid("invalid filter", []persona.FieldError{{Field: "review",
		Message: "must be one of mine, overdue, due30, unowned"}})
}

// Match reports whether p passes the filter for the user at now.
func (f ReviewFilter) Match(p persona.Persona, userID string, now time.Time) bool {
	switch f {
	case ReviewMine:
		return p.OwnerID != "" && p.OwnerID == userID
	case ReviewOverdue:
		return p.ReviewOverdue(now)
	case ReviewDue30:
		return p.ReviewDueWithin(now, 30)
	case ReviewUnowned:
		return p.OwnerID == ""
	}
	return true
}

// allPersonaHeads lists every live persona of the organisation, page by
// page, without their content (ListPersonaHeads): the review schedule
// needs names, owners and dates only.
func (s *Service) allPersonaHeads(ctx context.Context, orgID string) ([]persona.Persona, error) {
	var out []persona.Persona
	after := ""
	for {
		page, err := s.store.ListPersonaHeads(ctx, orgID, persona.PersonaFilter{After: after, Limit: 200})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 200 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// ReviewRow is one persona on the review page.
type ReviewRow struct {
	Persona  persona.Persona
	Owner    string // the owner's name; "" when none, "a former member" when gone
	Due      time.Time
	Overdue  bool
	DueSoon  bool         // due within 30 days, not overdue
	Recent   bool         // reviewed in the last 30 days
	Latest   *ReviewEntry // the newest review, nil when never reviewed
	DaysLate int          // days overdue (0 unless Overdue)
}

// ReviewGroup is the personas of one group on the review page.
type ReviewGroup struct {
	ID, Name string // "" for personas outside any group
	Rows     []ReviewRow
}

// ReviewOverview is the organisation's review page.
type ReviewOverview struct {
	Groups                                   []ReviewGroup
	Total, Overdue, DueSoon, Recent, Unowned int
	Mine                                     int // owned by the caller
}

// ReviewOverview works out the review page: every live persona by group
// (groups by name, personas overdue first, then by due date), with
// counts. Viewers may read it.
func (s *Service) ReviewOverview(ctx context.Context, actor Actor, slug string) (ReviewOverview, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return ReviewOverview{}, err
	}
	ps, err := s.allPersonaHeads(ctx, org.ID)
	if err != nil {
		return ReviewOverview{}, err
	}
	names, err := s.memberNames(ctx, org.ID)
	if err != nil {
		return ReviewOverview{}, err
	}
	groups, err := s.store.GroupNames(ctx, org.ID)
	if err != nil {
		return ReviewOverview{}, err
	}
	latest, err := s.store.LatestReviews(ctx, org.ID)
	if err != nil {
		return ReviewOverview{}, err
	}
	now := s.now().UTC()
	today := now.Format(time.DateOnly)
	recentSince := now.AddDate(0, 0, -30).Format(time.DateOnly)
	var ov ReviewOverview
	byGroup := map[string]*ReviewGroup{}
	for _, p := range ps {
		row := ReviewRow{Persona: p, Due: p.ReviewDue(), Overdue: p.ReviewOverdue(now), DueSoon: p.ReviewDueWithin(now, 30),
			Recent: p.LastReviewedOn != "" && p.LastReviewedOn >= recentSince && p.LastReviewedOn <= today}
		if p.OwnerID != "" {
			row.Owner = cmp.Or(names[p.OwnerID], "a former member")
		}
		if r, ok := latest[p.ID]; ok {
			row.Latest = &ReviewEntry{Review: r, Reviewer: cmp.Or(names[r.ReviewerID], "a former member")}
		}
		if row.Overdue {
			row.DaysLate = int(now.Sub(row.Due).Hours() / 24)
		}
		ov.Total++
		ov.Overdue += b2i(row.Overdue)
		ov.DueSoon += b2i(row.DueSoon)
		ov.Recent += b2i(row.Recent)
		ov.Unowned += b2i(p.OwnerID == "")
		ov.Mine += b2i(p.OwnerID != "" && p.OwnerID == actor.UserID)
		g := byGroup[p.GroupID]
		if g == nil {
			g = &ReviewGroup{ID: p.GroupID, Name: groups[p.GroupID]}
			byGroup[p.GroupID] = g
		}
		g.Rows = append(g.Rows, row)
	}
	for _, g := range byGroup {
		slices.SortStableFunc(g.Rows, func(a, b ReviewRow) int {
			return cmp.Or(b2i(b.Overdue)-b2i(a.Overdue), a.Due.Compare(b.Due), cmp.Compare(a.Persona.Name, b.Persona.Name))
		})
		ov.Groups = append(ov.Groups, *g)
	}
	slices.SortFunc(ov.Groups, func(a, b ReviewGroup) int {
		if (a.ID == "") != (b.ID == "") { // ungrouped last
			return b2i(a.ID == "") - b2i(b.ID == "")
		}
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return ov, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ReviewDigestOn reports whether the actor gets the weekly review digest.
func (s *Service) ReviewDigestOn(ctx context.Context, actor Actor) (bool, error) {
	if actor.UserID == "" {
		return false, persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	off, err := s.store.ReviewDigestOff(ctx, actor.UserID)
	return !off, err
}

// SetReviewDigest turns the actor's weekly review digest on or off.
func (s *Service) SetReviewDigest(ctx context.Context, actor Actor, on bool) error {
	if actor.UserID == "" {
		return persona.Errorf(persona.CodeUnauthenticated, "authentication required")
	}
	return s.store.SetReviewDigest(ctx, actor.UserID, on, s.timestamp())
}

// ReviewDigestDays is how far ahead the weekly digest looks: a persona
// due within a week is in it, as is every overdue one.
const ReviewDigestDays = 7

// ReviewDigest is one owner's digest in one organisation.
type ReviewDigest struct {
	OrgID, OrgSlug, OrgName string
	UserID, Email, Name     string
	Items                   []persona.DigestItem // overdue first, then by due date
}

// ReviewDigests works out, at now, the digest of every member who owns a
// persona overdue or due within ReviewDigestDays, organisation by
// organisation; owners who opted out, or are no longer members, get none,
// nor does anyone with nothing due.
func (s *Service) ReviewDigests(ctx context.Context, now time.Time) ([]ReviewDigest, error) {
	orgs, err := s.store.AllOrgs(ctx)
	if err != nil {
		return nil, err
	}
	optOut := map[string]bool{}
	var out []ReviewDigest
	for _, org := range orgs {
		ps, err := s.allPersonaHeads(ctx, org.ID)
		if err != nil {
			return nil, err
		}
		type due struct {
			p       persona.Persona
			overdue bool
		}
		byOwner := map[string][]due{}
		for _, p := range ps {
			if p.OwnerID == "" {
				continue
			}
			if o := p.ReviewOverdue(now); o || p.ReviewDueWithin(now, ReviewDigestDays) {
				byOwner[p.OwnerID] = append(byOwner[p.OwnerID], due{p, o})
			}
		}
		if len(byOwner) == 0 {
			continue
		}
		members, err := s.store.ListMembers(ctx, org.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			items := byOwner[m.UserID]
			if len(items) == 0 {
				continue
			}
			off, seen := optOut[m.UserID]
			if !seen {
				if off, err = s.store.ReviewDigestOff(ctx, m.UserID); err != nil {
					return nil, err
				}
				optOut[m.UserID] = off
			}
			if off {
				continue
			}
			slices.SortStableFunc(items, func(a, b due) int {
				return cmp.Or(b2i(b.overdue)-b2i(a.overdue), a.p.ReviewDue().Compare(b.p.ReviewDue()), cmp.Compare(a.p.Name, b.p.Name))
			})
			d := ReviewDigest{OrgID: org.ID, OrgSlug: org.Slug, OrgName: org.Name, UserID: m.UserID, Email: m.Email, Name: m.Name}
			for _, it := range items {
				d.Items = append(d.Items, persona.DigestItem{Name: it.p.Name, Path: "/o/" + org.Slug + "/personas/" + it.p.ID,
					Due: it.p.ReviewDue().Format("2 Jan 2006"), Overdue: it.overdue})
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// SendReviewDigests queues the digests of ReviewDigests in the outbox
// once per ISO week of now: the transaction that queues them claims the
// week, so a job run again that week (a restart, another instance, a
// retry) queues nothing, and a failed run queues nothing and leaves the
// week unclaimed. It returns how many it queued.
func (s *Service) SendReviewDigests(ctx context.Context, now time.Time) (int, error) {
	return s.sendReviewDigests(ctx, now, false)
}

// ResendReviewDigests queues the digests at now even when the week's were
// sent already (an operator's `personapal reviews digest --again`, say
// after fixing the mail settings); it claims the week too, so the job
// does not send them a third time.
func (s *Service) ResendReviewDigests(ctx context.Context, now time.Time) (int, error) {
	return s.sendReviewDigests(ctx, now, true)
}

func (s *Service) sendReviewDigests(ctx context.Context, now time.Time, again bool) (int, error) {
	ds, err := s.ReviewDigests(ctx, now)
	if err != nil {
		return 0, err
	}
	y, w := now.UTC().ISOWeek()
	period := fmt.Sprintf("%d-W%02d", y, w)
	queued := 0
	err = s.store.InTx(ctx, func(tx Store) error {
		first, err := tx.ClaimDigestPeriod(ctx, period, s.timestamp())
		if err != nil || (!first && !again) {
			return err
		}
		for _, d := range ds {
			if _, err := s.sendMail(ctx, tx, persona.Message{To: d.Email, Kind: persona.MessageReviewDigest, OrgID: d.OrgID,
				Data: persona.MessageData{Name: d.Name, OrgName: d.OrgName, Link: "/o/" + d.OrgSlug + "/reviews", Reviews: d.Items}}); err != nil {
				return err
			}
		}
		queued = len(ds)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return queued, nil
}

// ReviewDigestKind is the kind of the queue's weekly digest job.
const ReviewDigestKind = "review_digest"

// ListPersonasByReview is ListPersonas with a review filter (the API's
// `review=`). The filter depends on today and the caller, so the store
// cannot apply it: this reads the store's pages in ID order and keeps the
// matches, so the cursor stays an ID and paging stays stable.
func (s *Service) ListPersonasByReview(ctx context.Context, actor Actor, slug string, f persona.PersonaFilter, review ReviewFilter, cursor string) (PersonaPage, error) {
	return listByReview(ctx, s, actor, slug, f, review, cursor, s.ListPersonas, func(p persona.Persona) *persona.Persona { return &p })
}

// ListPersonasByReviewEncoded is ListPersonasByReview with the values kept
// encoded, for answers that pass them through.
func (s *Service) ListPersonasByReviewEncoded(ctx context.Context, actor Actor, slug string, f persona.PersonaFilter, review ReviewFilter, cursor string) (Page[persona.Encoded], error) {
	return listByReview(ctx, s, actor, slug, f, review, cursor, s.ListPersonasEncoded, func(e persona.Encoded) *persona.Persona { return &e.Persona })
}

func listByReview[T any](ctx context.Context, s *Service, actor Actor, slug string, f persona.PersonaFilter, review ReviewFilter, cursor string,
	list func(context.Context, Actor, string, persona.PersonaFilter, string) (Page[T], error), of func(T) *persona.Persona) (Page[T], error) {
	if review == ReviewAny {
		return list(ctx, actor, slug, f, cursor)
	}
	if f.Limit < 0 || f.Limit > MaxPageSize {
		return list(ctx, actor, slug, f, cursor) // its error names the limit
	}
	want := cmp.Or(f.Limit, DefaultPageSize)
	now := s.now().UTC()
	scan := f
	scan.Limit = MaxPageSize
	var kept []T
	for {
		page, err := list(ctx, actor, slug, scan, cursor)
		if err != nil {
			return Page[T]{}, err
		}
		for _, p := range page.Items {
			if review.Match(*of(p), actor.UserID, now) {
				kept = append(kept, p)
			}
		}
		if len(kept) > want || page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	out := Page[T]{Items: kept}
	if len(kept) > want {
		out.Items = kept[:want]
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(of(kept[want-1]).ID))
	}
	return out, nil
}
