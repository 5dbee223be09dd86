package persona

import (
	"strings"
	"testing"
)

func TestSetupCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := NewSetupCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != SetupCodeGroups*SetupCodeGroupLen+SetupCodeGroups-1 || seen[c] {
			t.Fatalf("code %q (repeated: %v)", c, seen[c])
		}
		seen[c] = true
		n := NormalizeSetupCode(c)
		for _, typed := range []string{c, strings.ToLower(c), strings.ReplaceAll(c, "-", " "), " " + strings.ReplaceAll(c, "-", "") + " "} {
			if got := NormalizeSetupCode(typed); got != n || got == "" {
				t.Fatalf("%q reads as %q, want %q", typed, got, n)
			}
		}
	}
	if NormalizeSetupCode("O0IL-1111-1111-1111-1111-1111-1111") != "0011111111111111111111111111" {
		t.Error("look-alike letters are not read as digits")
	}
	for _, bad := range []string{"", "ABCD", strings.Repeat("A", 29), strings.Repeat("U", 28), strings.Repeat("é", 28), strings.Repeat("A", 300)} {
		if got := NormalizeSetupCode(bad); got != "" {
			t.Errorf("%q reads as %q", bad, got)
		}
	}
}

func TestParseSignupPolicy(t *testing.T) {
	p, err := ParseSignupPolicy("", nil)
	if err != nil || p.Mode != SignupInvite {
		t.Fatalf("default: %+v, %v", p, err)
	}
	p, err = ParseSignupPolicy("OPEN", []string{"Example.com, @acme.test", "example.com"})
	if err != nil || strings.Join(p.Domains, " ") != "example.com acme.test" || p.DomainList() != "example.com and acme.test" {
		t.Fatalf("open with domains: %+v, %v", p, err)
	}
	if !p.DomainAllowed("ana@acme.test") || p.DomainAllowed("ana@evil-acme.test") || p.DomainAllowed("ana@x.acme.test") {
		t.Error("domains match only exactly")
	}
	for _, c := range []struct {
		mode    string
		domains []string
	}{{"anyone", nil}, {"invite", []string{"example.com"}}, {"closed", []string{"example.com"}}, {"open", []string{"not a domain"}},
		{"open", []string{"localhost"}}, {"open", []string{"a@b.com"}}} {
		if _, err := ParseSignupPolicy(c.mode, c.domains); err == nil {
			t.Errorf("%s %v accepted", c.mode, c.domains)
		}
	}
}

func TestBrowserName(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0":                                                        "Firefox on Linux",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15":         "Safari on macOS",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36":         "Chrome on Android",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36":                 "Headless Chrome on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0": "Edge on Windows",
		"curl/8.5.0":                "curl",
		"":                          "Unknown browser",
		"<script>alert(1)</script>": "Unknown browser",
	} {
		if got := BrowserName(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}
