package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/persona"
)

// shareStore keeps share links (internal/store/shares.go).
type shareStore interface {
	CreateShareLink(ctx context.Context, l persona.ShareLink, tokenHash string) error
	// ShareLinkByTokenHash is the one lookup not scoped by an
	// organisation: the token is the audience's only credential.
	ShareLinkByTokenHash(ctx context.Context, tokenHash string) (persona.ShareLink, error)
	GetShareLink(ctx context.Context, orgID, id string) (persona.ShareLink, error)
	ListShareLinks(ctx context.Context, orgID string) ([]persona.ShareLink, error)
	RevokeShareLink(ctx context.Context, orgID, id, by string, at time.Time) error
	RecordShareView(ctx context.Context, orgID, id string, at time.Time) error
}

// shareTokenPrefix marks a share token, so that one pasted somewhere
// can be recognised (and secret scanners can find it).
const shareTokenPrefix = "pps_"

// ShareInput is what a member asks for when sharing.
type ShareInput struct {
	Kind           persona.ShareKind `json:"kind"`
	SubjectIDs     []string          `json:"subject_ids"`
	Title          string            `json:"title,omitempty"`
	Lens           persona.ShareLens `json:"lens"`
	Password       string            `json:"password,omitempty"`
	ExpiresAt      *time.Time        `json:"expires_at,omitempty"`
	FrameAncestors []string          `json:"frame_ancestors,omitempty"`
}

// CreateShareLink makes a read-only link to a persona, a variant, a
// comparison or a Launchpad (editors). It returns the link and its token,
// which is shown this once: only its hash is kept.
func (s *Service) CreateShareLink(ctx context.Context, actor Actor, slug string, in ShareInput) (persona.ShareLink, string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.ShareLink{}, "", err
	}
	now := s.timestamp()
	l := persona.ShareLink{ID: newID(), OrgID: org.ID, Kind: in.Kind, Lens: in.Lens, CreatedBy: actor.UserID, CreatedAt: now,
		Title: strings.TrimSpace(in.Title)}
	var problems []persona.FieldError
	bad := func(field, msg string) { problems = append(problems, persona.FieldError{Field: field, Message: msg}) }
	if !in.Kind.Valid() {
		bad("kind", "choose what to share: a persona, a variant, a comparison or a Launchpad")
	}
	for _, id := range in.SubjectIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(l.SubjectIDs, id) {
			l.SubjectIDs = append(l.SubjectIDs, id)
		}
	}
	switch {
	case in.Kind == persona.ShareOfComparison && (len(l.SubjectIDs) < persona.MinCompare || len(l.SubjectIDs) > persona.MaxCompare):
		bad("subject_ids", "a comparison shares between "+itoa(persona.MinCompare)+" and "+itoa(persona.MaxCompare)+" personas")
	case in.Kind.Valid() && in.Kind != persona.ShareOfComparison && len(l.SubjectIDs) != 1:
		bad("subject_ids", "name the one "+string(in.Kind)+" to share")
	}
	if utf8.RuneCountInString(l.Title) > persona.MaxShareTitle {
		bad("title", "the title is at most "+itoa(persona.MaxShareTitle)+" characters")
	}
	if in.ExpiresAt != nil {
		if !in.ExpiresAt.After(now) {
			bad("expires_at", "the expiry must be in the future")
		}
		t := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		l.ExpiresAt = &t
	}
	if n := utf8.RuneCountInString(in.Password); in.Password != "" && (n < persona.MinSharePassword || n > persona.MaxSharePassword) {
		bad("password", "a password is "+itoa(persona.MinSharePassword)+" to "+itoa(persona.MaxSharePassword)+" characters (or none)")
	}
	if len(in.FrameAncestors) > persona.MaxShareFrameAncestors {
		bad("frame_ancestors", "at most "+itoa(persona.MaxShareFrameAncestors)+" sites may embed a link")
	}
	for _, o := range in.FrameAncestors {
		if strings.TrimSpace(o) == "" {
			continue
		}
		n, err := persona.NormaliseOrigin(o)
		if err != nil {
			bad("frame_ancestors", errMessage(err))
			continue
		}
		if !slices.Contains(l.FrameAncestors, n) {
			l.FrameAncestors = append(l.FrameAncestors, n)
		}
	}
	if len(problems) > 0 {
		return persona.ShareLink{}, "", persona.Invalid("the share link could not be made: "+problems[0].Message, problems)
	}
	title, err := s.shareSubjectTitle(ctx, org.ID, l.Kind, l.SubjectIDs)
	if err != nil {
		return persona.ShareLink{}, "", err
	}
	if l.Title == "" {
		l.Title = title
	}
	if in.Password != "" {
		if l.PasswordHash, err = s.hasher.Hash(in.Password); err != nil {
			return persona.ShareLink{}, "", err
		}
	}
	b := make([]byte, 32) // 256 bits
	if _, err := rand.Read(b); err != nil {
		return persona.ShareLink{}, "", err
	}
	token := shareTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	audit := s.entry(org.ID, actor, "share.create", "share_link", l.ID, "Shared "+string(l.Kind)+" "+title+shareTerms(l))
	if err := s.inTx(ctx, audit, func(tx Store) error { return tx.CreateShareLink(ctx, l, hashToken(token)) }); err != nil {
		return persona.ShareLink{}, "", err
	}
	l.CreatedByName = actor.Email
	return l, token, nil
}

// shareTerms says in the audit log what the link allows.
func shareTerms(l persona.ShareLink) string {
	var parts []string
	if l.ExpiresAt != nil {
		parts = append(parts, "until "+l.ExpiresAt.Format("2 Jan 2006 15:04 MST"))
	}
	if l.HasPassword() {
		parts = append(parts, "with a password")
	}
	if len(l.FrameAncestors) > 0 {
		parts = append(parts, "embeddable on "+strings.Join(l.FrameAncestors, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func itoa(n int) string { return strconv.Itoa(n) }

// shareSubjectTitle checks that the shared object exists in the
// organisation and names it.
func (s *Service) shareSubjectTitle(ctx context.Context, orgID string, kind persona.ShareKind, ids []string) (string, error) {
	switch kind {
	case persona.ShareOfPersona:
		p, err := s.store.GetPersona(ctx, orgID, ids[0])
		return p.Name, err
	case persona.ShareOfVariant:
		v, err := s.store.GetVariant(ctx, orgID, ids[0])
		if err != nil {
			return "", err
		}
		base, err := s.store.GetPersona(ctx, orgID, v.PersonaID)
		if err != nil {
			return "", err
		}
		d, err := s.detail(ctx, orgID, base, v)
		return base.Name + " at " + d.CustomerName(), err
	case persona.ShareOfComparison:
		names := make([]string, 0, len(ids))
		for _, id := range ids {
			p, err := s.store.GetPersona(ctx, orgID, id)
			if err != nil {
				return "", err
			}
			names = append(names, p.Name)
		}
		return strings.Join(names, " vs "), nil
	case persona.ShareOfLaunchpad:
		l, err := s.store.GetLaunchpad(ctx, orgID, ids[0])
		return l.Name, err
	}
	return "", persona.Errorf(persona.CodeInvalid, "unknown kind of share link %q", kind)
}

// ListShareLinks lists the organisation's share links, newest first
// (editors: they are the ones who share).
func (s *Service) ListShareLinks(ctx context.Context, actor Actor, slug string) ([]persona.ShareLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	return s.store.ListShareLinks(ctx, org.ID)
}

// GetShareLink returns one of the organisation's share links (editors).
func (s *Service) GetShareLink(ctx context.Context, actor Actor, slug, id string) (persona.ShareLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.ShareLink{}, err
	}
	return s.store.GetShareLink(ctx, org.ID, id)
}

// RevokeShareLink ends a link at once: its next request answers not
// found. Its maker or an admin may revoke it.
func (s *Service) RevokeShareLink(ctx context.Context, actor Actor, slug, id string) error {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	l, err := s.store.GetShareLink(ctx, org.ID, id)
	if err != nil {
		return err
	}
	if l.CreatedBy != actor.UserID && !role.AtLeast(persona.RoleAdmin) {
		return persona.Errorf(persona.CodeForbidden, "only the member who made a share link, or an admin, may revoke it")
	}
	if l.RevokedAt != nil {
		return nil // revoked already: what was asked holds
	}
	audit := s.entry(org.ID, actor, "share.revoke", "share_link", l.ID, "Revoked the share link "+l.Title)
	return s.inTx(ctx, audit, func(tx Store) error { return tx.RevokeShareLink(ctx, org.ID, l.ID, actor.UserID, s.timestamp()) })
}

// ---- the audience's side ----

// ErrSharePassword is answered when a link asks for its password (or a
// wrong one was given): the page asks for it, showing nothing else.
var ErrSharePassword = persona.Errorf(persona.CodeUnauthenticated, "this shared page asks for a password")

// ShareAccess is how an audience reaches a link: its token, and either
// the password just typed or the unlock value of an earlier one.
type ShareAccess struct {
	Token    string
	Password string
	Unlock   string
}

// shareLink finds the live link of a token; expired, revoked and unknown
// tokens are all simply not found.
func (s *Service) shareLink(ctx context.Context, token string) (persona.ShareLink, error) {
	if !strings.HasPrefix(token, shareTokenPrefix) || len(token) > 100 {
		return persona.ShareLink{}, persona.ErrNotFound("share link")
	}
	l, err := s.store.ShareLinkByTokenHash(ctx, hashToken(token))
	if err != nil {
		return persona.ShareLink{}, err
	}
	if !l.Live(s.timestamp()) {
		return persona.ShareLink{}, persona.ErrNotFound("share link")
	}
	return l, nil
}

// ShareUnlock is the value a browser keeps after the password was right
// (a cookie): derived from the token and the password's hash, so it can be
// checked on any instance without state, cannot be made without knowing
// the hash, and stops working when the link's password changes.
func ShareUnlock(token string, l persona.ShareLink) string {
	sum := sha256.Sum256([]byte("personapal share unlock\x00" + token + "\x00" + l.PasswordHash))
	return hex.EncodeToString(sum[:])
}

// OpenShare checks a request for a shared page: the link is live and,
// when it has a password, the password is right (attempts throttled like
// sign-ins, per link and per address) or the unlock value matches. It
// returns the link; nothing of the shared object is read yet.
func (s *Service) OpenShare(ctx context.Context, a ShareAccess) (persona.ShareLink, error) {
	l, err := s.shareLink(ctx, a.Token)
	if err != nil {
		return l, err
	}
	if !l.HasPassword() {
		return l, nil
	}
	if a.Unlock != "" && subtle.ConstantTimeCompare([]byte(a.Unlock), []byte(ShareUnlock(a.Token, l))) == 1 {
		return l, nil
	}
	if a.Password == "" {
		return l, ErrSharePassword
	}
	ok, err := s.throttledKeys(ctx, throttleKeys("share", l.ID, clientInfo(ctx).Address), func() (bool, error) {
		return s.hasher.Verify(l.PasswordHash, a.Password)
	})
	if err != nil {
		return l, err
	}
	if !ok {
		return l, ErrSharePassword
	}
	return l, nil
}

// CountShareView records one view of a link (its page, not its assets).
func (s *Service) CountShareView(ctx context.Context, l persona.ShareLink) error {
	return s.store.RecordShareView(ctx, l.OrgID, l.ID, s.timestamp())
}

// errMessage is a domain error's safe message.
func errMessage(err error) string {
	if e, ok := persona.AsError(err); ok {
		return e.Message
	}
	return err.Error()
}
