package persona

import (
	"errors"
	"strings"
	"testing"
)

func TestGuessWorkKind(t *testing.T) {
	for url, want := range map[string]WorkKind{
		"https://acme.atlassian.net/browse/PP-12": WorkJira,
		"https://jira.acme.com/browse/PP-12":      WorkJira,
		"https://linear.app/acme/issue/ENG-1":     WorkLinear,
		"https://github.com/acme/app/issues/3":    WorkGitHub,
		"https://www.figma.com/file/abc/Checkout": WorkFigma,
		"https://docs.google.com/document/d/1":    WorkDocument,
		"https://www.notion.so/acme/Research-1":   WorkDocument,
		"https://acme.sharepoint.com/sites/x":     WorkDocument,
		"https://example.com/github.com":          WorkOther,
		"https://notgithub.com/x":                 WorkOther,
		"not a url":                               WorkOther,
	} {
		if got := GuessWorkKind(url); got != want {
			t.Errorf("GuessWorkKind(%q) = %q, want %q", url, got, want)
		}
	}
	for _, k := range WorkKinds {
		if !k.Valid() || k.Label() == "" {
			t.Errorf("kind %q", k)
		}
	}
	if WorkKind("trello").Valid() {
		t.Error("an unknown kind is valid")
	}
}

func TestNormaliseWorkLink(t *testing.T) {
	l := WorkLink{URL: "  https://github.com/acme/app/issues/3/ "}
	if err := NormaliseWorkLink(&l); err != nil {
		t.Fatal(err)
	}
	if l.Kind != WorkGitHub || l.Title != "github.com/acme/app/issues/3" || l.URL != "https://github.com/acme/app/issues/3/" {
		t.Errorf("normalised %+v", l)
	}
	l = WorkLink{URL: "https://example.com/x", Title: " Research plan ", Kind: WorkDocument}
	if err := NormaliseWorkLink(&l); err != nil || l.Title != "Research plan" || l.Kind != WorkDocument {
		t.Errorf("normalised %+v, %v", l, err)
	}
	for name, c := range map[string]struct {
		l     WorkLink
		field string
	}{
		"empty":       {WorkLink{}, "url"},
		"relative":    {WorkLink{URL: "/browse/PP-1"}, "url"},
		"ftp":         {WorkLink{URL: "ftp://example.com/x"}, "url"},
		"javascript":  {WorkLink{URL: "javascript:alert(1)"}, "url"},
		"credentials": {WorkLink{URL: "https://me:secret@example.com/x"}, "url"},
		"too long":    {WorkLink{URL: "https://example.com/" + strings.Repeat("a", MaxWorkURL)}, "url"},
		"control":     {WorkLink{URL: "https://example.com/\nx"}, "url"},
		"kind":        {WorkLink{URL: "https://example.com/x", Kind: "trello"}, "kind"},
		"long title":  {WorkLink{URL: "https://example.com/x", Title: strings.Repeat("t", MaxWorkTitle+1)}, "title"},
		"title break": {WorkLink{URL: "https://example.com/x", Title: "a\nb"}, "title"},
	} {
		err := NormaliseWorkLink(&c.l)
		var pe *Error
		if err == nil || !errors.As(err, &pe) || len(pe.Fields) == 0 || pe.Fields[0].Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", name, err, c.field)
		}
	}
}
