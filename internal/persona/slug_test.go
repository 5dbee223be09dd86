package persona

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidSlug(t *testing.T) {
	tests := map[string]bool{
		"acme": true, "a": true, "9": true, "acme-bank": true, "a1-b2": true,
		strings.Repeat("a", 63): true, strings.Repeat("a", 64): false,
		"": false, "-acme": false, "acme-": false, "Acme": false, "acme_bank": false,
		"acme bank": false, "äcme": false, "a--b": true, "王芳": false,
	}
	for s, want := range tests {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestSlugify: slugs keep the letters of every script; Latin diacritics
// are spelled without their marks; names of different people never share
// a slug just because their script is not Latin.
func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme Bank", "acme-bank"},
		{"  Acme   Bank, Ltd. ", "acme-bank-ltd"},
		{"Société Générale", "societe-generale"},
		{"Straße & Söhne", "strasse-sohne"},
		{"R&D 2026", "r-d-2026"},
		{"---", ""},
		{"", ""},
		{"日本銀行", "日本銀行"},
		{"Bank 日本", "bank-日本"},
		{"王芳", "王芳"},
		{"李娜", "李娜"},
		{"山田 太郎", "山田-太郎"},
		{"Ольга Смирнова", "ольга-смирнова"},
		{"Мария Иванова", "мария-иванова"},
		{"Μαρία Παπαδοπούλου", "μαρια-παπαδοπουλου"},
		{"محمد عبد الله", "محمد-عبد-الله"},
		{"דוד כהן", "דוד-כהן"},
		{"Nguyễn Thị Minh", "nguyen-thi-minh"},
		{"Łódź Żółć", "lodz-zolc"},
		{"Æsir Øresund Đorđe", "aesir-oresund-dorde"},
		{strings.Repeat("ab ", 40), strings.TrimRight(strings.Repeat("ab-", 21), "-")},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if s := Slugify(strings.Repeat("界", 100)); utf8.RuneCountInString(s) > 63 || len(s) > 200 {
		t.Errorf("a long name gives a slug of %d characters, %d bytes", utf8.RuneCountInString(s), len(s))
	}
}

// TestASCIISlug: organisation slugs stay ASCII; Greek and Cyrillic are
// transliterated, other scripts give "" (the caller picks a unique name).
func TestASCIISlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme Bank", "acme-bank"},
		{"Société Générale", "societe-generale"},
		{"Nguyễn Thị Minh", "nguyen-thi-minh"},
		{"Łódź", "lodz"},
		{"Ольга Смирнова", "olga-smirnova"},
		{"Щукин и сыновья", "shchukin-i-synovya"},
		{"Αθήνα", "athina"},
		{"Μαρία Παπαδοπούλου", "maria-papadopoulou"},
		{"Київ", "kiyiv"}, // simplified: и is always i
		{"日本銀行", ""},
		{"Bank 日本", "bank"},
		{"王芳 2026", "2026"},
		{"محمد", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := ASCIISlug(tt.in)
		if got != tt.want {
			t.Errorf("ASCIISlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got != "" && !ValidSlug(got) {
			t.Errorf("ASCIISlug(%q) = %q is not a valid slug", tt.in, got)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Acme Bank", "", "ß", strings.Repeat("x-", 50), "日本", "Ольга", "Nguyễn", strings.Repeat("界", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if utf8.RuneCountInString(got) > 63 || len(got) > 200 || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") ||
			strings.ContainsAny(got, " /\\.\x00") || !utf8.ValidString(got) {
			t.Fatalf("Slugify(%q) = %q", s, got)
		}
		if a := ASCIISlug(s); a != "" && !ValidSlug(a) {
			t.Fatalf("ASCIISlug(%q) = %q, not a valid slug", s, a)
		}
	})
}
