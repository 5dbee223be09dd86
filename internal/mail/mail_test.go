package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Every kind renders: a one-line subject, HTML and plain text from one
// layout, the link absolute on the base URL in both parts (and as plain
// text in the HTML), names escaped in HTML.
func TestComposeEveryKind(t *testing.T) {
	base, err := ParseBaseURL("https://pp.example.test/team/")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range persona.MessageKinds {
		t.Run(string(k), func(t *testing.T) {
			m := persona.Message{To: "ada@example.com", Kind: k, Data: persona.MessageData{
				Name: "Ada <script>", Link: "/go?t=abc&x=1", ValidFor: 24 * time.Hour,
				OrgName: "Acme & Co", InviterName: "Grace", Role: persona.RoleEditor, NewEmail: "new@example.com"}}
			m, err := persona.ValidateMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Compose(base, "0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37", m, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			link := "https://pp.example.test/team/go?t=abc&x=1"
			if out.Subject == "" || strings.ContainsAny(out.Subject, "\r\n") {
				t.Errorf("subject %q", out.Subject)
			}
			if !strings.Contains(out.Text, link) || !strings.Contains(out.Text, "Hello Ada <script>,") {
				t.Errorf("text lacks the link or greeting:\n%s", out.Text)
			}
			if !strings.Contains(out.HTML, `href="https://pp.example.test/team/go?t=abc&amp;x=1"`) || strings.Contains(out.HTML, "<script>") ||
				!strings.Contains(out.HTML, "Ada &lt;script&gt;") {
				t.Errorf("HTML:\n%s", out.HTML)
			}
			if len(out.Links) != 1 || out.Links[0] != link || out.MessageID != "<0197f3c2-5b1e-7a3d-9c4e-2f6a8b1d0e37@pp.example.test>" {
				t.Errorf("links %v, Message-ID %q", out.Links, out.MessageID)
			}
			if strings.Contains(out.Text+out.HTML, "<no value>") || strings.Contains(out.Text, "{{") {
				t.Errorf("a template gap:\n%s", out.Text)
			}
		})
	}
}

func TestInvitationReadsPlainly(t *testing.T) {
	base, _ := ParseBaseURL("https://pp.example.test")
	out, err := Compose(base, "id", persona.Message{To: "a@example.com", Kind: persona.MessageInvitation, Data: persona.MessageData{
		Link: "/i", OrgName: "Acme", InviterName: "Grace", Role: persona.RoleAdmin, ValidFor: persona.InvitationLifetime}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "Grace invited you to Acme on Persona Pal" || !strings.Contains(out.Text, "join Acme on Persona Pal as an admin.") ||
		!strings.Contains(out.Text, "It works for 7 days.") {
		t.Errorf("subject %q\n%s", out.Subject, out.Text)
	}
}

func TestParseBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://pp.example.com":        "https://pp.example.com",
		"https://pp.example.com/":       "https://pp.example.com",
		"http://127.0.0.1:8080/prefix/": "http://127.0.0.1:8080/prefix",
	} {
		u, err := ParseBaseURL(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseBaseURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"", "pp.example.com", "ftp://pp.example.com", "javascript:alert(1)", "https://", "https://u:p@pp.example.com",
		"https://pp.example.com/?q=1", "https://pp.example.com/#x", "mailto:a@example.com"} {
		if _, err := ParseBaseURL(bad); err == nil {
			t.Errorf("ParseBaseURL(%q) accepted", bad)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	c, err := ParseSMTPURL("smtp://user%40example.com:p%40ss@mail.example.com")
	if err != nil || c.Host != "mail.example.com" || c.Port != 587 || c.TLS != STARTTLS || c.Username != "user@example.com" || c.Password != "p@ss" {
		t.Errorf("smtp: %+v, %v", c, err)
	}
	if c.Redacted() != "smtp://user%40example.com@mail.example.com:587" {
		t.Errorf("redacted %q", c.Redacted())
	}
	if c, err := ParseSMTPURL("smtps://mail.example.com"); err != nil || c.Port != 465 || c.TLS != ImplicitTLS {
		t.Errorf("smtps: %+v, %v", c, err)
	}
	if c, err := ParseSMTPURL("smtp://localhost:25?starttls=none"); err != nil || c.Port != 25 || c.TLS != NoTLS {
		t.Errorf("starttls=none: %+v, %v", c, err)
	}
	for _, bad := range []string{"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp://h:0", "smtp://h:99999",
		"smtp://u:p@h?starttls=none", "smtps://h?starttls=none", "smtp://h?tls=off", "smtp://h/path"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Hour: "1 hour", 24 * time.Hour: "24 hours", 7 * 24 * time.Hour: "7 days", 30 * time.Minute: "30 minutes"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// A notification e-mail quotes its title and excerpt (escaped in HTML) and
// links each notice absolutely; the digest lists every notice.
func TestNotificationMailsLinkEachNotice(t *testing.T) {
	base, _ := ParseBaseURL("https://pp.example.test")
	one, err := Compose(base, "id1", persona.Message{To: "a@example.com", Kind: persona.MessageNotification, Data: persona.MessageData{
		Link: "/o/acme/personas/p1#comment-c1", OrgName: "Acme",
		Notices: []persona.NoticeItem{{Title: "Ana mentioned you on Compliance Analyst", Excerpt: "What about <b>audits</b>?", Path: "/o/acme/personas/p1#comment-c1"}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if one.Subject != "Ana mentioned you on Compliance Analyst" || !strings.Contains(one.Text, "> What about <b>audits</b>?") ||
		!strings.Contains(one.HTML, "What about &lt;b&gt;audits&lt;/b&gt;?") || !strings.Contains(one.Text, "https://pp.example.test/o/acme/personas/p1#comment-c1") {
		t.Errorf("subject %q\n%s\n%s", one.Subject, one.Text, one.HTML)
	}
	digest, err := Compose(base, "id2", persona.Message{To: "a@example.com", Kind: persona.MessageNotificationDigest, Data: persona.MessageData{
		Link: "/o/acme/notifications", OrgName: "Acme", Notices: []persona.NoticeItem{
			{Title: "Bo commented on Buyer", Path: "/o/acme/personas/p2#comment-c2"},
			{Title: "Review due: Buyer", Path: "/o/acme/personas/p2"}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if digest.Subject != "2 new notifications in Acme" || len(digest.Links) != 3 ||
		!strings.Contains(digest.Text, "Bo commented on Buyer") || !strings.Contains(digest.HTML, `href="https://pp.example.test/o/acme/personas/p2"`) {
		t.Errorf("subject %q links %v\n%s", digest.Subject, digest.Links, digest.Text)
	}
}
