package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/pdf"
)

// TestServeTLSExportsPDF exports a persona as PDF from a server that serves
// HTTPS itself with a self-signed certificate: the server's browser must
// reach its own TLS listener (over https, with a Secure session cookie) and
// accept that certificate. Uses serve_tls_test.go's selfSigned, startServe
// and signIn.
func TestServeTLSExportsPDF(t *testing.T) {
	if _, err := pdf.ExecPath(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have Chromium for PDF export: %v", err)
		}
		t.Skipf("no Chromium here: %v", err)
	}
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	printed := startServe(t, "--demo", "--db", filepath.Join(dir, "tls-pdf.db"), "--addr", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile)
	base := strings.TrimSuffix(field(printed, "url"), "/")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("url %q, want https://127.0.0.1:…", base)
	}
	client := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: noRedirects,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	org := field(printed, "org")

	// A persona of the demo organisation, found through the API.
	req, _ := http.NewRequest("GET", base+"/api/v1/orgs/"+url.PathEscape(org)+"/personas?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+field(printed, "token"))
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	err = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || len(list.Items) == 0 {
		t.Fatalf("list personas: status %d, %d items, %v", res.StatusCode, len(list.Items), err)
	}

	ck := signIn(t, client, base, field(printed, "email"), field(printed, "password"), nil)
	if !ck.Secure {
		t.Fatalf("session cookie over TLS is not Secure (%s)", ck.Raw)
	}
	req, _ = http.NewRequest("GET", base+"/o/"+url.PathEscape(org)+"/personas/"+url.PathEscape(list.Items[0].ID)+"/export.pdf", nil)
	req.AddCookie(ck)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PDF export over TLS: status %d\n%.600s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("Content-Type %q, want application/pdf", ct)
	}
	if !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("not a PDF: %.40q", body)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(body, -1)); n < 1 {
		t.Fatalf("PDF has %d pages", n)
	}
	// A4 portrait is 595×842 points.
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+59[45](\.[0-9]+)?\s+84[12](\.[0-9]+)?\s*\]`).Match(body) {
		t.Errorf("PDF has no portrait A4 media box")
	}
}
