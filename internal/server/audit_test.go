package server_test

import (
	"strconv"
	"testing"
)

func TestAuditLogRecordsChangesForAdmins(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Audited Persona")
	p.Summary = "Changed for the audit"
	e.must(200, "PUT", e.api("/personas/"+p.ID), e.owner, p, "If-Match", `"1"`)
	e.must(204, "DELETE", e.api("/personas/"+p.ID), e.owner, nil)
	e.must(200, "POST", e.api("/personas/"+p.ID+"/restore"), e.owner, nil)
	e.must(200, "GET", e.api("/export"), e.owner, nil)

	var log struct {
		Items []struct {
			Seq        int64  `json:"seq"`
			Action     string `json:"action"`
			ObjectKind string `json:"object_kind"`
			ObjectID   string `json:"object_id"`
			ActorEmail string `json:"actor_email"`
		} `json:"items"`
		NextBefore *int64 `json:"next_before"`
	}
	e.must(200, "GET", e.api("/audit?limit=5"), e.owner, nil).json(t, &log)
	var got []string
	for _, it := range log.Items {
		got = append(got, it.Action+" "+it.ObjectKind)
	}
	want := []string{"export organisation", "restore persona", "trash persona", "update persona", "create persona"}
	if len(got) != len(want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit %v, want %v", got, want)
		}
	}
	if log.Items[1].ObjectID != p.ID || log.Items[1].ActorEmail != "demo@example.com" || log.NextBefore == nil {
		t.Fatalf("entry %+v, next %v", log.Items[1], log.NextBefore)
	}
	// The next page continues below.
	var older struct {
		Items []struct {
			Seq int64 `json:"seq"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/audit?limit=5&before="+strconv.FormatInt(*log.NextBefore, 10)), e.owner, nil).json(t, &older)
	if len(older.Items) == 0 || older.Items[0].Seq >= *log.NextBefore {
		t.Fatalf("next page %+v", older.Items)
	}
	e.must(403, "GET", e.api("/audit"), e.viewer, nil)
	e.must(404, "GET", e.api("/audit"), e.other, nil)
}
