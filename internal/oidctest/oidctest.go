// Package oidctest runs a real OpenID Connect provider in the test's
// process, for the tests of single sign-on: zitadel/oidc's example
// provider (pkg/op with its example storage and login form), on
// 127.0.0.1 with a port of its own. It issues real, signed ID tokens
// through the real authorisation code flow with PKCE; nothing is mocked.
//
// Only tests import it (it brings zitadel/oidc and its dependencies).
package oidctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a person the provider knows.
type User struct {
	ID            string // the subject of their ID tokens
	Username      string // what they type on the provider's login page
	Password      string
	FirstName     string
	LastName      string
	Email         string
	EmailVerified bool
}

// Provider is a running provider.
type Provider struct {
	Issuer       string // "http://127.0.0.1:<port>/"
	ClientID     string
	ClientSecret string
	Users        map[string]User // by username
}

// The client Persona Pal is registered as.
const (
	ClientID     = "personapal"
	ClientSecret = "personapal-secret"
)

// Start runs a provider knowing users until the test ends. Its client
// (ClientID, ClientSecret) may return to /auth/oidc/callback on any port
// of 127.0.0.1 or localhost.
func Start(t testing.TB, users ...User) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	us := userStore{byID: map[string]*storage.User{}}
	p := &Provider{Issuer: issuer, ClientID: ClientID, ClientSecret: ClientSecret, Users: map[string]User{}}
	for _, u := range users {
		us.byID[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.FirstName, LastName: u.LastName,
			Email: u.Email, EmailVerified: u.EmailVerified, PreferredLanguage: language.English}
		p.Users[u.Username] = u
	}
	base := storage.WebClient(ClientID, ClientSecret, "http://127.0.0.1/auth/oidc/callback")
	st := &store{Storage: storage.NewStorageWithClients(us, map[string]*storage.Client{ClientID: base}),
		client: globClient{Client: base}}
	router := exampleop.SetupServer(issuer, st, nil, false)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" { // a browser asks; a 404 would be a console error
			w.WriteHeader(http.StatusNoContent)
			return
		}
		router.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return p
}

// store is the example storage with our client, whose redirect addresses
// are globs (the server under test picks its port at start).
type store struct {
	*storage.Storage
	client op.Client
}

func (s *store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	if id == ClientID {
		return s.client, nil
	}
	return s.Storage.GetClientByClientID(ctx, id)
}

type globClient struct{ op.Client }

func (globClient) RedirectURIGlobs() []string {
	return []string{"http://127.0.0.1:*/auth/oidc/callback", "http://localhost:*/auth/oidc/callback"}
}

func (globClient) PostLogoutRedirectURIGlobs() []string { return nil }

type userStore struct{ byID map[string]*storage.User }

func (u userStore) GetUserByID(id string) *storage.User { return u.byID[id] }

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u.byID {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (userStore) ExampleClientID() string { return storage.ServiceUserID }

var loginID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// Login signs in at the provider as a browser would: it opens authURL (where
// Persona Pal's /auth/oidc/start sent the browser), fills in the provider's
// login form and follows the provider's redirects until one leaves the
// provider. It returns that address — Persona Pal's callback with the code
// and state — without opening it.
func (p *Provider) Login(ctx context.Context, authURL, username, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	issuer, _ := url.Parse(p.Issuer)
	next, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	form := url.Values(nil)
	for range 10 {
		if next.Host != issuer.Host {
			return next.String(), nil
		}
		var req *http.Request
		if form != nil {
			req, err = http.NewRequestWithContext(ctx, http.MethodPost, next.String(), strings.NewReader(form.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			form = nil
		} else {
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		}
		if err != nil {
			return "", err
		}
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		switch {
		case res.StatusCode/100 == 3:
			loc, err := next.Parse(res.Header.Get("Location"))
			if err != nil {
				return "", err
			}
			next = loc
		case res.StatusCode == http.StatusOK && strings.Contains(string(body), `action="/login/username"`):
			m := loginID.FindStringSubmatch(string(body))
			if m == nil {
				return "", errors.New("oidctest: the login page has no request ID")
			}
			if strings.Contains(string(body), "username or password wrong") {
				return "", errors.New("oidctest: the provider refused the username or password")
			}
			form = url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
			next, _ = next.Parse("/login/username")
		default:
			return "", fmt.Errorf("oidctest: %s answered %d: %.300s", next, res.StatusCode, body)
		}
	}
	return "", errors.New("oidctest: too many redirects at the provider")
}
