// Package mail turns Persona Pal's messages into e-mail and sends them.
//
// Compose renders a persona.Message (one template per kind, HTML and plain
// text in one layout, the product's look, every link absolute on the
// server's base URL); the application layer stores the result in the
// outbox in the transaction of the change that causes it. SMTP sends
// outbox messages through wneessen/go-mail (STARTTLS or implicit TLS,
// authentication), and Log writes them to the log when no SMTP server is
// configured. Nothing here touches the database.
package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

//go:embed templates/*
var templateFS embed.FS

type kindTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

var templates = func() map[persona.MessageKind]kindTemplates {
	out := map[persona.MessageKind]kindTemplates{}
	for _, k := range persona.MessageKinds {
		name := "templates/" + string(k) + ".tmpl"
		h := htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/layout.html", name))
		t := texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/layout.txt", name))
		out[k] = kindTemplates{html: h, text: t}
	}
	return out
}()

// view is what the templates see.
type view struct {
	persona.MessageData
	To, Subject, Action   string
	Link, BaseURL, Host   string
	ValidFor, RoleArticle string
}

// ParseBaseURL checks a base URL (--base-url): http or https, a host, no
// query, fragment or user; the path is kept (a server under a prefix).
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("the base URL must be an http:// or https:// address such as https://personas.example.com, not %q", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the base URL must not hold a user, a query or a fragment: %q", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Compose renders m (already validated: persona.ValidateMessage) as the
// outbox message id, with every link made absolute on base. The
// Message-ID is "<id@host>".
func Compose(base *url.URL, id string, m persona.Message, now time.Time) (persona.OutboxMessage, error) {
	tpl, ok := templates[m.Kind]
	if !ok {
		return persona.OutboxMessage{}, fmt.Errorf("mail: no template for %q", m.Kind)
	}
	v := view{MessageData: m.Data, To: m.To, BaseURL: base.String() + "/", Host: base.Host,
		ValidFor: Duration(m.Data.ValidFor), RoleArticle: article(string(m.Data.Role))}
	var links []string
	if m.Data.Link != "" {
		v.Link = base.String() + m.Data.Link
		links = append(links, v.Link)
	}
	if len(m.Data.Reviews) > 0 { // a digest's persona links, absolute too
		v.Reviews = make([]persona.DigestItem, len(m.Data.Reviews))
		for i, it := range m.Data.Reviews {
			it.Path = base.String() + it.Path
			v.Reviews[i] = it
			links = append(links, it.Path)
		}
	}
	if len(m.Data.Notices) > 0 { // a notification's links, absolute too
		v.Notices = make([]persona.NoticeItem, len(m.Data.Notices))
		for i, it := range m.Data.Notices {
			it.Path = base.String() + it.Path
			v.Notices[i] = it
			links = append(links, it.Path)
		}
	}
	var subject, action bytes.Buffer
	if err := tpl.text.ExecuteTemplate(&subject, "subject", v); err != nil {
		return persona.OutboxMessage{}, err
	}
	if err := tpl.text.ExecuteTemplate(&action, "action", v); err != nil {
		return persona.OutboxMessage{}, err
	}
	v.Subject = oneLine(subject.String())
	v.Action = oneLine(action.String())
	var text, html bytes.Buffer
	if err := tpl.text.ExecuteTemplate(&text, "layout", v); err != nil {
		return persona.OutboxMessage{}, err
	}
	if err := tpl.html.ExecuteTemplate(&html, "layout", v); err != nil {
		return persona.OutboxMessage{}, err
	}
	at := now.UTC().Truncate(time.Microsecond)
	return persona.OutboxMessage{
		ID: id, Kind: m.Kind, OrgID: m.OrgID, To: m.To,
		MessageID: "<" + id + "@" + base.Hostname() + ">",
		Subject:   v.Subject, Text: strings.TrimLeft(text.String(), "\n"), HTML: html.String(), Links: links,
		Status: persona.MessageQueued, CreatedAt: at, UpdatedAt: at,
	}, nil
}

// oneLine folds a rendered header into one line of single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Duration writes a link's lifetime in plain words: "1 hour", "24 hours",
// "7 days", "30 minutes".
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "a limited time"
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(int((d+time.Minute-1)/time.Minute), "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
