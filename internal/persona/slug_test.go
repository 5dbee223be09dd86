package persona

import (
	"strings"
	"testing"
)

func TestValidSlug(t *testing.T) {
	tests := map[string]bool{
		"acme": true, "a": true, "9": true, "acme-bank": true, "a1-b2": true,
		strings.Repeat("a", 63): true, strings.Repeat("a", 64): false,
		"": false, "-acme": false, "acme-": false, "Acme": false, "acme_bank": false,
		"acme bank": false, "äcme": false, "a--b": true,
	}
	for s, want := range tests {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme Bank", "acme-bank"},
		{"  Acme   Bank, Ltd. ", "acme-bank-ltd"},
		{"Société Générale", "societe-generale"},
		{"Straße & Söhne", "strasse-sohne"},
		{"R&D 2026", "r-d-2026"},
		{"---", "org"},
		{"", "org"},
		{"日本銀行", "org"},
		{"Bank 日本", "bank"},
		{strings.Repeat("ab ", 40), strings.TrimRight(strings.Repeat("ab-", 21), "-")},
	}
	for _, tt := range tests {
		got := Slugify(tt.in)
		if got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", tt.in, got)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Acme Bank", "", "ß", strings.Repeat("x-", 50), "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := Slugify(s); !ValidSlug(got) {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", s, got)
		}
	})
}
