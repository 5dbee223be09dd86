package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "personapal test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// urlWatch is serve's stdout: it hands over everything printed up to and
// including the url line as soon as that line is complete.
type urlWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	sent  bool
	ready chan string
}

func (u *urlWatch) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.buf.Write(p)
	s := u.buf.String()
	if i := strings.Index(s, "url: "); !u.sent && i >= 0 && strings.Contains(s[i:], "\n") {
		u.sent = true
		u.ready <- s
	}
	return len(p), nil
}

// startServe runs serve with args until the test ends and returns what it
// printed up to its url.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &urlWatch{ready: make(chan string, 1)}
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d after shutdown\n%s", code, errOut.String())
		}
	})
	select {
	case printed := <-out.ready:
		return printed
	case code := <-done:
		done <- code
		t.Fatalf("serve exited with %d before printing its url\n%s", code, errOut.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve printed no url within a minute\n%s", errOut.String())
	}
	return ""
}

// signIn posts the demo credentials to /login and returns the session
// cookie it sets.
func signIn(t *testing.T, client *http.Client, base, email, password string, header http.Header) *http.Cookie {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("sign-in: status %d\n%s", res.StatusCode, b)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "pp_session" && ck.Value != "" {
			return ck
		}
	}
	t.Fatalf("sign-in set no session cookie: %v", res.Header.Values("Set-Cookie"))
	return nil
}

func noRedirects(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }

func TestServeTLSSetsSecureCookies(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	printed := startServe(t, "--demo", "--db", filepath.Join(dir, "tls.db"), "--addr", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile)
	base := strings.TrimSuffix(field(printed, "url"), "/")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("url %q, want https://127.0.0.1:…", base)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirects,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ck := signIn(t, client, base, field(printed, "email"), field(printed, "password"), nil)
	if !ck.Secure || !ck.HttpOnly {
		t.Fatalf("session cookie over TLS: Secure=%v HttpOnly=%v (%s)", ck.Secure, ck.HttpOnly, ck.Raw)
	}
	res, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.TLS == nil || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("healthz over TLS: tls %v, HSTS %q", res.TLS != nil, res.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP to the TLS port is refused, not served.
	plain, err := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP to the TLS port: %d", plain.StatusCode)
		}
	}
}

func TestServeTrustedProxyDecidesSecureCookies(t *testing.T) {
	dir := t.TempDir()
	printed := startServe(t, "--demo", "--db", filepath.Join(dir, "proxy.db"), "--addr", "127.0.0.1:0",
		"--trusted-proxy", "127.0.0.1")
	base := strings.TrimSuffix(field(printed, "url"), "/")
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirects}
	email, password := field(printed, "email"), field(printed, "password")
	if ck := signIn(t, client, base, email, password, nil); ck.Secure {
		t.Fatalf("plain HTTP without a proxy's word: Secure cookie (%s)", ck.Raw)
	}
	if ck := signIn(t, client, base, email, password, http.Header{"X-Forwarded-Proto": {"https"}}); !ck.Secure {
		t.Fatalf("a trusted proxy said https: cookie not Secure (%s)", ck.Raw)
	}
}

func TestServeFlagsAreChecked(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	db := filepath.Join(dir, "flags.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", keyFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", keyFile}, "missing.pem"},
		{[]string{"--tls-cert", keyFile, "--tls-key", certFile}, "--tls-cert/--tls-key"},
		{[]string{"--trusted-proxy", "proxy.internal"}, "--trusted-proxy"},
		{[]string{"--trusted-proxy", "10.0.0.0/8,10.0.0.0/40"}, "10.0.0.0/40"},
		{[]string{"--rate-token", "-1"}, "--rate-token"},
		{[]string{"--rate-ip-burst", "0"}, "--rate-ip-burst"},
	} {
		code, out, errOut := cliCtxTimeout(t, 30*time.Second, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || field(out, "url") != "" {
			t.Errorf("serve %v: exit %d, want 2 with %q\nstdout: %s\nstderr: %s", c.args, code, c.want, out, errOut)
		}
	}
	// Turning the limits off makes the burst checks moot.
	startServe(t, "--db", db, "--addr", "127.0.0.1:0", "--rate-limits=false", "--rate-ip-burst", "0")
}
