package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func testSSO(t *testing.T, db *DB) {
	ctx := context.Background()
	u, other := mustUser(t, db, "sso@example.com"), mustUser(t, db, "sso-other@example.com")

	// Flows: taken once, by one of many concurrent callbacks; an expired
	// one is not returned (and is gone).
	f := persona.SSOFlow{StateHash: "state-hash", BrowserHash: "browser-hash", Nonce: "nonce", Verifier: "verifier", Next: "/o/x",
		RedirectURL: "https://pp.example.com/auth/oidc/callback", ExpiresAt: t0.Add(10 * time.Minute)}
	wantNoErr(t, db.CreateSSOFlow(ctx, f), "CreateSSOFlow")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := db.TakeSSOFlow(ctx, "state-hash", t0)
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
				if got.Nonce != "nonce" || got.Verifier != "verifier" || got.Next != "/o/x" || got.BrowserHash != "browser-hash" ||
					got.RedirectURL != f.RedirectURL || !got.ExpiresAt.Equal(want(f.ExpiresAt)) {
					t.Errorf("flow %+v", got)
				}
			} else if persona.ErrorCode(err) != persona.CodeNotFound {
				t.Errorf("TakeSSOFlow: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d of 20 concurrent callbacks took the flow, want 1", won)
	}
	f.StateHash = "expired"
	wantNoErr(t, db.CreateSSOFlow(ctx, f), "CreateSSOFlow")
	_, err := db.TakeSSOFlow(ctx, "expired", t0.Add(10*time.Minute))
	wantCode(t, err, persona.CodeNotFound, "an expired flow")
	_, err = db.TakeSSOFlow(ctx, "expired", t0)
	wantCode(t, err, persona.CodeNotFound, "an expired flow, taken after all")
	f.StateHash = "stale"
	wantNoErr(t, db.CreateSSOFlow(ctx, f), "CreateSSOFlow")
	if n, err := db.DeleteExpiredSSOFlows(ctx, t0.Add(11*time.Minute)); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSSOFlows: %d %v", n, err)
	}

	// Identities: one per (issuer, subject) and per (user, issuer).
	id := persona.SSOIdentity{Issuer: "https://idp", Subject: "s1", UserID: u.ID, Email: u.Email, CreatedAt: t0, LastUsedAt: t0}
	wantNoErr(t, db.LinkSSOIdentity(ctx, id), "LinkSSOIdentity")
	dup := id
	dup.UserID = other.ID
	wantCode(t, db.LinkSSOIdentity(ctx, dup), persona.CodeConflict, "the same subject for another user")
	second := id
	second.Subject = "s2"
	wantCode(t, db.LinkSSOIdentity(ctx, second), persona.CodeConflict, "a second subject at the issuer for the user")
	elsewhere := id
	elsewhere.Issuer = "https://other-idp"
	wantNoErr(t, db.LinkSSOIdentity(ctx, elsewhere), "an identity at another issuer")
	wantNoErr(t, db.TouchSSOIdentity(ctx, "https://idp", "s1", "new@example.com", t0.Add(time.Hour)), "TouchSSOIdentity")
	got, err := db.SSOIdentity(ctx, "https://idp", "s1")
	if err != nil || got.UserID != u.ID || got.Email != "new@example.com" || !got.LastUsedAt.Equal(want(t0.Add(time.Hour))) || !got.CreatedAt.Equal(want(t0)) {
		t.Fatalf("identity %+v %v", got, err)
	}
	if got, err := db.SSOIdentityOfUser(ctx, u.ID, "https://other-idp"); err != nil || got.Subject != "s1" {
		t.Fatalf("identity of user %+v %v", got, err)
	}
	_, err = db.SSOIdentity(ctx, "https://idp", "nobody")
	wantCode(t, err, persona.CodeNotFound, "unknown identity")
	wantCode(t, db.TouchSSOIdentity(ctx, "https://idp", "nobody", "x@example.com", t0), persona.CodeNotFound, "touch unknown identity")

	// Organisation settings and domains.
	org := persona.Org{ID: newID(), Slug: "sso-store", Name: "Sso Store", CreatedAt: t0}
	wantNoErr(t, db.CreateOrg(ctx, org, persona.Member{OrgID: org.ID, UserID: u.ID, Role: persona.RoleOwner, CreatedAt: t0}, nil, nil), "CreateOrg")
	o, err := db.OrgSSO(ctx, org.ID)
	if err != nil || o.Required() || len(o.Domains) != 0 || o.Domains == nil {
		t.Fatalf("fresh settings %+v %v", o, err)
	}
	if req, err := db.OrgRequiresSSO(ctx, org.ID); err != nil || req {
		t.Fatalf("OrgRequiresSSO %v %v", req, err)
	}
	at := t0.Add(time.Minute)
	wantNoErr(t, db.SetOrgSSORequired(ctx, org.ID, &at), "require")
	if req, _ := db.OrgRequiresSSO(ctx, org.ID); !req {
		t.Fatal("not required after SetOrgSSORequired")
	}
	wantNoErr(t, db.SetOrgSSORequired(ctx, org.ID, nil), "stop requiring")
	if req, _ := db.OrgRequiresSSO(ctx, org.ID); req {
		t.Fatal("still required")
	}
	wantNoErr(t, db.SetOrgSSORequired(ctx, org.ID, &at), "require again")
	d := persona.SSODomain{OrgID: org.ID, Domain: "example.com", Role: persona.RoleEditor, CreatedAt: t0, CreatedBy: u.Email}
	wantNoErr(t, db.AddSSODomain(ctx, d), "AddSSODomain")
	wantCode(t, db.AddSSODomain(ctx, d), persona.CodeConflict, "the same domain twice")
	bad := d
	bad.Domain, bad.Role = "example.org", persona.RoleOwner
	if err := db.AddSSODomain(ctx, bad); err == nil {
		t.Error("a domain mapping to the owner role was stored")
	}
	o, err = db.OrgSSO(ctx, org.ID)
	if err != nil || !o.Required() || !o.RequiredAt.Equal(want(at)) || len(o.Domains) != 1 || o.Domains[0].Role != persona.RoleEditor ||
		o.Domains[0].CreatedBy != u.Email {
		t.Fatalf("settings %+v %v", o, err)
	}
	matches, err := db.SSODomainOrgs(ctx, "example.com")
	if err != nil || len(matches) != 1 || matches[0].OrgSlug != "sso-store" || matches[0].Role != persona.RoleEditor {
		t.Fatalf("SSODomainOrgs %+v %v", matches, err)
	}
	if none, _ := db.SSODomainOrgs(ctx, "example.net"); len(none) != 0 {
		t.Fatalf("another domain matched %+v", none)
	}
	fresh, err := db.RecordSSOJoin(ctx, org.ID, other.ID, t0)
	if err != nil || !fresh {
		t.Fatalf("first join %v %v", fresh, err)
	}
	if fresh, err := db.RecordSSOJoin(ctx, org.ID, other.ID, t0); err != nil || fresh {
		t.Fatalf("second join %v %v", fresh, err)
	}
	wantNoErr(t, db.RemoveSSODomain(ctx, org.ID, "example.com"), "RemoveSSODomain")
	wantCode(t, db.RemoveSSODomain(ctx, org.ID, "example.com"), persona.CodeNotFound, "remove twice")

	// Tokens made in a single sign-on session.
	tok := persona.Token{ID: newID(), UserID: u.ID, Name: "sso", Hash: "sso-token-hash", Prefix: "pp_s", CreatedAt: t0}
	wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")
	if iss, err := db.TokenSSOIssuer(ctx, tok.ID); err != nil || iss != "" {
		t.Fatalf("unmarked token: %q %v", iss, err)
	}
	wantNoErr(t, db.MarkTokenSSO(ctx, tok.ID, "https://idp"), "MarkTokenSSO")
	if iss, err := db.TokenSSOIssuer(ctx, tok.ID); err != nil || iss != "https://idp" {
		t.Fatalf("marked token: %q %v", iss, err)
	}
}
