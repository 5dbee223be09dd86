package web

import (
	"net/url"
	"strings"
	"testing"
)

// hostileNext are post-sign-in destinations that a browser could resolve
// to another site (or that hide characters it would drop or rewrite): each
// must fall back to "/".
var hostileNext = []string{
	"",
	"evil.example",
	"//evil.example",
	"///evil.example",
	"////evil.example",
	`/\evil.example`,
	`\/evil.example`,
	`\\evil.example`,
	"/\t/evil.example/",
	"/%09/evil.example/",
	"/\r\n/evil.example",
	"/%0d%0a/evil.example",
	"/\n/evil.example",
	"/%0A/evil.example",
	"/\x00/evil.example",
	"/%00/evil.example",
	"/\x7f/evil.example",
	"/\u0085/evil.example", // C1 next line
	"/%C2%85/evil.example",
	"/%2F/evil.example",
	"/%2f%2fevil.example",
	"%2F%2Fevil.example",
	"%2F/evil.example",
	"/%5C/evil.example",
	"/%5cevil.example",
	"/o/acme\\..\\..\\evil",
	"https://evil.example/",
	"https:evil.example",
	"http:/evil.example",
	"HTTPS://evil.example",
	"javascript:alert(1)",
	"JavaScript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)",
	"/\u2215evil.example", // division slash
	"/\uFF0Fevil.example", // fullwidth solidus
	"/\u2044evil.example", // fraction slash
	"/\uFF3Cevil.example", // fullwidth reverse solidus
	"/\uFE68evil.example", // small reverse solidus
	"\u2215\u2215evil.example",
	"/%E2%88%95evil.example", // the division slash, percent-encoded
	"/%EF%BC%8Fevil.example",
	"/\u202e/elpmaxe.live", // right-to-left override
	"/\u200b/evil.example", // zero-width space
	"/ /evil.example",
	"/%20/evil.example",
	" /o/acme",
	"/o/acme%",                      // a broken escape
	"/o/acme%zz",                    // another
	"/o/\xff\xfe",                   // not UTF-8
	"/%ff/evil",                     // decodes to invalid UTF-8
	"/" + strings.Repeat("a", 2000), // absurdly long
}

// goodNext are local paths the application itself sends people to: they
// must come back unchanged.
var goodNext = []string{
	"/",
	"/o/acme",
	"/o/acme/personas/x?tab=a#b",
	"/o/acme/personas/0197f0a2-7b1c-7c2e-9d3f-1a2b3c4d5e6f/edit",
	"/o/acme/search?q=big+bank&profile_type=ux",
	"/o/acme/search?q=big%20bank",
	"/o/acme/search?q=a%2Fb", // an encoded slash later in the URL is a value, not a host
	"/o/acme/compare?ids=a,b,c",
	"/account/tokens",
	"/o/%E7%8E%8B%E8%8A%B3", // a slug in Chinese, encoded
	"/o/王芳/personas/x",      // and as a form posts it back
	"/o/acme/personas/x#notes",
	"/login",
}

func TestSafeNextRefusesEverythingButLocalPaths(t *testing.T) {
	if len(hostileNext) < 20 {
		t.Fatalf("only %d hostile values", len(hostileNext))
	}
	for _, next := range hostileNext {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
	for _, next := range goodNext {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it unchanged", next, got)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range append(hostileNext, goodNext...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", next, got)
		}
		if got == "/" {
			return
		}
		// What is accepted is a path on this host however a browser reads
		// it: with tabs and line breaks dropped, backslashes as slashes and
		// the escapes decoded.
		for _, seen := range []string{got, strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(got)} {
			if dec, err := url.PathUnescape(seen); err == nil {
				seen = dec
			}
			if len(seen) > 1 && (seen[0] != '/' || seen[1] == '/') {
				t.Fatalf("safeNext(%q) accepted what a browser may read as %q", next, seen)
			}
			if u, err := url.Parse("http://this.example" + seen); err != nil || u.Host != "this.example" {
				t.Fatalf("safeNext(%q) accepted what resolves elsewhere: %v %v", next, u, err)
			}
		}
	})
}
