package persona

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// WorkKind is what kind of work item a work link points at.
type WorkKind string

// The kinds of work link.
const (
	WorkJira     WorkKind = "jira"
	WorkLinear   WorkKind = "linear"
	WorkGitHub   WorkKind = "github"
	WorkFigma    WorkKind = "figma"
	WorkDocument WorkKind = "document"
	WorkOther    WorkKind = "other"
)

// WorkKinds are the kinds of work link, in the order forms offer them.
var WorkKinds = []WorkKind{WorkJira, WorkLinear, WorkGitHub, WorkFigma, WorkDocument, WorkOther}

// Valid reports whether k is a kind of work link.
func (k WorkKind) Valid() bool {
	switch k {
	case WorkJira, WorkLinear, WorkGitHub, WorkFigma, WorkDocument, WorkOther:
		return true
	}
	return false
}

// Label is how the kind reads.
func (k WorkKind) Label() string {
	switch k {
	case WorkJira:
		return "Jira"
	case WorkLinear:
		return "Linear"
	case WorkGitHub:
		return "GitHub"
	case WorkFigma:
		return "Figma"
	case WorkDocument:
		return "Document"
	}
	return "Other"
}

// Limits of a work link.
const (
	MaxWorkURL   = 2000
	MaxWorkTitle = 200
	// MaxWorkLinks is how many work links a persona may have.
	MaxWorkLinks = 200
)

// WorkLink attaches an external work item (an issue, a design file, a
// document) to a persona.
type WorkLink struct {
	ID            string    `json:"id"`
	OrgID         string    `json:"-"`
	PersonaID     string    `json:"persona_id"`
	URL           string    `json:"url"`
	Title         string    `json:"title"`
	Kind          WorkKind  `json:"kind"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	CreatedByName string    `json:"created_by_name,omitempty"`
}

// WorkLinkFilter narrows an organisation's work links: to one persona,
// one kind, at most Limit (0: all).
type WorkLinkFilter struct {
	PersonaID string
	Kind      WorkKind
	Limit     int
}

// GuessWorkKind guesses the kind of work item from its address's host.
func GuessWorkKind(raw string) WorkKind {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return WorkOther
	}
	host := strings.ToLower(u.Hostname())
	is := func(domain string) bool { return host == domain || strings.HasSuffix(host, "."+domain) }
	switch {
	case is("atlassian.net") || host == "jira" || strings.HasPrefix(host, "jira.") || strings.Contains(host, ".jira."):
		return WorkJira
	case is("linear.app"):
		return WorkLinear
	case is("github.com"):
		return WorkGitHub
	case is("figma.com"):
		return WorkFigma
	case is("docs.google.com") || is("notion.so") || is("notion.site") || is("sharepoint.com") || strings.Contains(host, "sharepoint"):
		return WorkDocument
	}
	return WorkOther
}

// WorkLinkDefaultTitle is the title of a link given none: its host and
// path, without a trailing slash.
func WorkLinkDefaultTitle(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	t := strings.TrimSuffix(u.Host+u.EscapedPath(), "/")
	if utf8.RuneCountInString(t) > MaxWorkTitle {
		t = string([]rune(t)[:MaxWorkTitle-1]) + "…"
	}
	return t
}

// NormaliseWorkLink cleans a new link's address, title and kind ("" to
// guess it from the address) and checks them: the address is absolute
// http or https, without credentials, at most MaxWorkURL characters; the
// title (the address's host and path when empty) is single-line text of
// at most MaxWorkTitle characters.
func NormaliseWorkLink(l *WorkLink) error {
	var problems []FieldError
	bad := func(field, msg string) { problems = append(problems, FieldError{Field: field, Message: msg}) }
	l.URL = strings.TrimSpace(l.URL)
	l.Title = CleanText(l.Title)
	u, err := url.Parse(l.URL)
	switch {
	case l.URL == "":
		bad("url", "give the work item's address")
	case utf8.RuneCountInString(l.URL) > MaxWorkURL:
		bad("url", "the address is at most 2000 characters")
	case LineProblem(l.URL, MaxWorkURL) != "":
		bad("url", "the address "+LineProblem(l.URL, MaxWorkURL))
	case err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("url", "the address must start with https:// or http://")
	case u.User != nil:
		bad("url", "the address must not hold a user name or password")
	}
	if l.Kind == "" {
		l.Kind = GuessWorkKind(l.URL)
	} else if !l.Kind.Valid() {
		bad("kind", "choose a kind: Jira, Linear, GitHub, Figma, Document or Other")
	}
	if l.Title == "" && len(problems) == 0 {
		l.Title = WorkLinkDefaultTitle(l.URL)
	}
	if p := LineProblem(l.Title, MaxWorkTitle); p != "" {
		bad("title", "the title "+p)
	}
	if len(problems) > 0 {
		return Invalid("the work link could not be added: "+problems[0].Message, problems)
	}
	return nil
}
