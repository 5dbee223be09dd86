package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store/storetest"
)

// Two instances (each its own service, pool and HTTP server) on one
// PostgreSQL database, as behind a load balancer: a person whose stream is
// on one instance sees a person whose stream is on the other, on the
// persona and on one of its customer variants, which are apart (the
// persona's page does not list the variant's people, and the text says
// "this variant"). A variant of another persona is not found.
func TestPresenceAcrossTwoInstancesOnPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var envs [2]*webEnv
	var creds seed.Credentials
	for i := range envs {
		db := storetest.OpenDSN(t, dsn)
		svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
		if i == 0 {
			var err error
			if creds, err = seed.Demo(ctx, svc, demo.Data()); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateUser(ctx, "viewer@example.com", "Vera Viewer", "viewer-password-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddMember(ctx, app.System, creds.OrgSlug, "viewer@example.com", persona.RoleViewer); err != nil {
				t.Fatal(err)
			}
		}
		h, err := server.New(svc, db, log)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(h)
		srv.Config.RegisterOnShutdown(h.StopStreams)
		srv.Start()
		t.Cleanup(srv.Close)
		envs[i] = &webEnv{t: t, srv: srv, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password},
			viewer: account{"viewer@example.com", "viewer-password-1"}}
	}
	one, two := envs[0], envs[1]
	lead, bank := one.demoPersona("System Lead"), one.demoPersona("Big Bank")
	variants, err := one.svc.ListVariants(ctx, one.actor(one.owner), one.org, lead.ID)
	if err != nil || len(variants) == 0 {
		t.Fatalf("the demo's variants of System Lead: %d, %v", len(variants), err)
	}
	vid := variants[0].Variant.ID
	path := "/o/" + one.org + "/personas/" + lead.ID + "/presence"

	dana := one.signedIn(one.owner)  // on instance one
	vera := two.signedIn(two.viewer) // on instance two
	a, status := dana.openStream(t, path+"?mode=editing")
	if status != http.StatusOK {
		t.Fatalf("Dana's stream on instance one: %d", status)
	}
	b, status := vera.openStream(t, path+"?mode=viewing")
	if status != http.StatusOK {
		t.Fatalf("Vera's stream on instance two: %d", status)
	}
	ev := a.next(t, "instance one sees Vera", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.People[0].Name != "Vera Viewer" || ev.Text != "Vera Viewer is viewing this persona." {
		t.Fatalf("instance one: %+v", ev)
	}
	ev = b.next(t, "instance two sees Dana", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.People[0].Name != "Dana Demo" || ev.People[0].Mode != "editing" || ev.Text != "Dana Demo is editing this persona." {
		t.Fatalf("instance two: %+v", ev)
	}

	// Vera moves to the variant's page: she leaves the persona's list,
	// and Dana, opening the variant's form on the other instance, shows
	// up on the variant only.
	b.close()
	a.next(t, "Vera left the persona", func(ev sseEvent) bool { return len(ev.People) == 0 })
	vv, status := vera.openStream(t, path+"?mode=viewing&variant="+vid)
	if status != http.StatusOK {
		t.Fatalf("Vera's variant stream: %d", status)
	}
	vv.next(t, "nobody on the variant yet", func(ev sseEvent) bool { return len(ev.People) == 0 })
	dv, status := dana.openStream(t, path+"?mode=editing&variant="+vid)
	if status != http.StatusOK {
		t.Fatalf("Dana's variant stream: %d", status)
	}
	ev = vv.next(t, "Dana editing the variant", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.People[0].Name != "Dana Demo" || ev.Text != "Dana Demo is editing this variant." {
		t.Fatalf("the variant's stream: %+v", ev)
	}
	ev = dv.next(t, "Vera viewing the variant", func(ev sseEvent) bool { return len(ev.People) == 1 })
	if ev.Text != "Vera Viewer is viewing this variant." {
		t.Fatalf("Dana's variant stream: %+v", ev)
	}
	// Dana's persona stream still lists nobody: the variant's people are
	// the variant's.
	select {
	case ev := <-a.events:
		if len(ev.People) != 0 {
			t.Fatalf("the persona's stream lists the variant's people: %+v", ev)
		}
	default:
	}
	// The variant under another persona's path: not found.
	if _, status := vera.openStream(t, "/o/"+one.org+"/personas/"+bank.ID+"/presence?variant="+vid); status != http.StatusNotFound {
		t.Errorf("a variant of another persona: %d, want 404", status)
	}
}

// The variant's page and edit form open the stream with the variant named.
func TestVariantPagesOpenPresence(t *testing.T) {
	e := newWebEnv(t)
	lead := e.demoPersona("System Lead")
	variants, err := e.svc.ListVariants(context.Background(), e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(variants) == 0 {
		t.Fatalf("variants: %d, %v", len(variants), err)
	}
	vid := variants[0].Variant.ID
	b := e.signedIn(e.owner)
	for path, mode := range map[string]string{"/o/" + e.org + "/variants/" + vid: "viewing", "/o/" + e.org + "/variants/" + vid + "/edit": "editing"} {
		p := b.get(path).must(t, http.StatusOK)
		want := `data-presence-url="/o/` + e.org + `/personas/` + lead.ID + `/presence?mode=` + mode + `&amp;variant=` + vid + `"`
		if !strings.Contains(p.Body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
}
