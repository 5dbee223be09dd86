package server_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// fuzzRoutes are the JSON API routes FuzzAPI sends bodies and query
// strings to: the ones that decode the most user input.
var fuzzRoutes = []struct{ name, method, path string }{
	{"create-persona", "POST", "/personas"},
	{"update-persona", "PUT", "/personas/{persona}"}, // with If-Match
	{"save-draft", "PUT", "/templates/{template}/draft"},
	{"search", "GET", "/search"},
	{"import-org", "POST", "import"},
	{"add-note", "POST", "/personas/{persona}/notes"},
	{"create-variant", "POST", "/personas/{persona}/variants"},
	{"create-template", "POST", "/templates"},
}

// FuzzAPI sends fuzzed JSON bodies, query strings and If-Match headers
// to the routes above on a real server (temporary SQLite file, demo data
// seeded once per process), as the organisation's owner. No request gets
// a server error, and every client error is problem+json whose "status"
// is the response's.
func FuzzAPI(f *testing.F) {
	valid, _ := json.Marshal(map[string]any{"name": "Fuzz persona", "template_id": "{template}", "group_id": "{group}", "values": map[string]any{"role_title": "Nurse"}})
	draft, _ := json.Marshal(persona.StarterTemplates()[0].Definition)
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	seeds := []struct {
		route        uint8
		body         string
		text, rawQry string
	}{
		{0, string(valid), "", ""},
		{0, `{"name":"x","template_id":"nope","values":{"goals":5,"team_size":1e309}}`, "", ""},
		{0, `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, "", ""},
		{0, "{\"name\":\"\xff\xfe\",\"summary\":\"\u0002\"}", "", ""},
		{0, deep, "", ""},
		{0, `{"name":"x","values":{"team_size":-0,"experience_years":123456789012345678901234567890}}`, "", ""},
		{1, `{"name":"Updated","values":{"role_title":"Lead"}}`, "", ""},
		{1, `{"name":"Updated"}`, `"999999999999999999999"`, ""},
		{1, `{"name":"Updated"}`, `W/"1", *`, ""},
		{1, `{"name":"'; DROP TABLE personas; --"}`, `"-1"`, ""},
		{2, string(draft), "", ""},
		{2, `{"sections":[{"key":"a","label":"A","fields":[{"key":"c","label":"C","kind":"choice","options":["long"],"max_length":2}]}]}`, "", ""},
		{2, `{"sections":[{"key":"a","label":"A","fields":[{"key":"n","label":"N","kind":"number","min":1e309}]}]}`, "", ""},
		{3, "", "cardio", ""},
		{3, "", `'; DROP TABLE personas; --`, "limit=99999999999999999999"},
		{3, "", `"NEAR(" * ^ - 'a':* & !b | c <-> d`, "profile_type=%ff&group=%00"},
		{3, "", "\xff\x00", "limit=-1&q=a&q=b"},
		{3, "", strings.Repeat("w ", 400), "%zz&&=&q"},
		{4, `{"format":"personapal/org-export","version":1,"organisation":{"name":"Fuzz","slug":"fuzz-import"}}`, "", "dry_run=true"},
		{4, `{"format":"personapal/org-export","version":1,"personas":[{"values":{"a":[1,{"b":null}]}}]}`, "", "slug=%27;--&dry_run=maybe"},
		{5, `{"body":"<script>alert(1)</script> [x](javascript:alert(1))"}`, "", ""},
		{5, `{"body":"` + strings.Repeat("[a](", 6000) + `"}`, "", ""},
		{6, `{"customer_label":"Bank","values":{"goals":{"x":1}},"field_notes":{"values.nope":"x"}}`, "", ""},
		{7, `{"name":"T","profile_type":"robot","definition":{"sections":[]}}`, "", ""},
		{7, `{"name":"T","profile_type":"ux","definition":{"sections":[{"key":"a","label":"A","fields":[{"key":"s","label":"S","kind":"scale","min":1,"max":1e308}]}]}}`, "", ""},
		{7, `null`, "", ""}, {7, `[]`, "", ""}, {7, ``, "", ""}, {7, `"string"`, "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, []byte(s.body), s.text, s.rawQry)
	}
	fs := newFuzzServer(f)
	// The demo organisation's own export: a valid import to mutate.
	f.Add(uint8(4), fs.export, "", "dry_run=true&slug=fuzz-import")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, text, rawQuery string) {
		if fuzzing() && len(body)+len(text)+len(rawQuery) > 1024 {
			// Seeds run at any size; fuzzer-made inputs stay small so
			// that minimising one does not stall fuzzing.
			return
		}
		if msg := fs.check(route, body, text, rawQuery); msg != "" {
			t.Fatal(msg)
		}
	})
}

type fuzzServer struct {
	h                       http.Handler
	org, token              string
	persona, tmplate, group string
	export                  []byte // the demo organisation's export
	schemaProblem           string // how the last answer misses the OpenAPI document, or ""
}

// newFuzzServer is newEnv for a testing.TB: a server on a temporary
// SQLite file with the demo organisation and its owner's token.
func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	_, h, creds := demoServer(tb)
	fs := &fuzzServer{h: h, org: creds.OrgSlug, token: creds.Token}
	var ps listJSON[personaJSON]
	var ts listJSON[templateJSON]
	var gs listJSON[persona.Group]
	for path, v := range map[string]any{"/personas?profile_type=ux&limit=1": &ps, "/templates": &ts, "/groups": &gs, "/export": nil} {
		code, _, b := fs.do("GET", "/api/v1/orgs/"+fs.org+path, nil, "")
		if code != http.StatusOK || (v != nil && json.Unmarshal(b, v) != nil) {
			tb.Fatalf("GET %s: %d %.300s", path, code, b)
		}
		if v == nil {
			fs.export = b
		}
	}
	if len(ps.Items) == 0 || len(ts.Items) == 0 || len(gs.Items) == 0 {
		tb.Fatal("the demo has no UX persona, template or group")
	}
	fs.persona, fs.group = ps.Items[0].ID, gs.Items[0].ID
	for _, tm := range ts.Items {
		if tm.ProfileType == string(persona.ProfileUX) {
			fs.tmplate = tm.ID
		}
	}
	return fs
}

// do sends one request as the owner; ifMatch is sent when not empty.
func (fs *fuzzServer) do(method, target string, body []byte, ifMatch string) (int, http.Header, []byte) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+fs.token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	fs.h.ServeHTTP(rec, req)
	fs.schemaProblem = openAPIProblem(fs.h, req, rec.Code, rec.Header(), rec.Body.Bytes())
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// send sends one fuzzed request. text is the search query, or the
// If-Match header (the persona's current ETag when empty). ok is false
// for a request a real server refuses before any handler sees it.
func (fs *fuzzServer) send(route uint8, body []byte, text, rawQuery string) (where string, code int, h http.Header, b []byte, ok bool) {
	rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
	path := "/api/v1/orgs/" + fs.org + rt.path
	if rt.path == "import" {
		path = "/api/v1/orgs/import"
	}
	path = strings.NewReplacer("{persona}", fs.persona, "{template}", fs.tmplate).Replace(path)
	body = bytes.ReplaceAll(body, []byte("{template}"), []byte(fs.tmplate))
	body = bytes.ReplaceAll(body, []byte("{group}"), []byte(fs.group))
	query := rawQuery
	ifMatch := ""
	switch rt.name {
	case "search":
		query = "q=" + url.QueryEscape(text) + "&" + rawQuery
		body = nil
	case "update-persona":
		ifMatch = text
		if ifMatch == "" {
			_, h, _ := fs.do("GET", path, nil, "")
			ifMatch = h.Get("ETag")
		}
	}
	if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) ||
		strings.ContainsFunc(ifMatch, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }) {
		return "", 0, nil, nil, false
	}
	target := path
	if query != "" {
		target += "?" + query
	}
	if _, err := url.ParseRequestURI(target); err != nil {
		return "", 0, nil, nil, false
	}
	code, h, b = fs.do(rt.method, target, body, ifMatch)
	return fmt.Sprintf("%s %.200q (If-Match %q) with %.300q", rt.method, target, ifMatch, body), code, h, b, true
}

// check sends one fuzzed request and says what is wrong with the answer,
// or returns "".
func (fs *fuzzServer) check(route uint8, body []byte, text, rawQuery string) string {
	where, code, h, b, ok := fs.send(route, body, text, rawQuery)
	if !ok {
		return ""
	}
	switch {
	case code >= 500:
		return fmt.Sprintf("%s: %d %s", where, code, b)
	case code >= 400:
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			return fmt.Sprintf("%s: %d with Content-Type %q: %s", where, code, ct, b)
		}
		var p struct {
			Status int `json:"status"`
		}
		if err := json.Unmarshal(b, &p); err != nil || p.Status != code {
			return fmt.Sprintf("%s: %d with problem %s (%v)", where, code, b, err)
		}
	case code >= 200 && code < 300:
		if len(b) > 0 && !json.Valid(b) {
			return fmt.Sprintf("%s: %d with a body that is not JSON: %s", where, code, b)
		}
	default:
		return fmt.Sprintf("%s: unexpected %d", where, code)
	}
	if fs.schemaProblem != "" {
		return fmt.Sprintf("%s: %d %s", where, code, fs.schemaProblem)
	}
	return ""
}

// TestFuzzAPIReachesHandlers: FuzzAPI's requests get past authentication
// and decoding to the handlers (valid ones succeed), so its checks are
// not passing on a wall of 401s or 404s.
func TestFuzzAPIReachesHandlers(t *testing.T) {
	fs := newFuzzServer(t)
	valid := []struct {
		route uint8
		body  string
		text  string
		query string
		want  int
	}{
		{0, `{"name":"Fuzz persona","template_id":"{template}","group_id":"{group}","values":{"role_title":"Nurse"}}`, "", "", 201},
		{1, `{"name":"Updated","values":{"role_title":"Lead"}}`, "", "", 200},
		{2, `{"sections":[{"key":"a","label":"A","fields":[{"key":"f","label":"F","kind":"text"}]}],"dimensions":[]}`, "", "", 200},
		{3, "", "reconciliation", "limit=5", 200},
		{4, string(fs.export), "", "dry_run=true&slug=fuzz-import", 201},
		{5, `{"body":"A **note**"}`, "", "", 201},
		{6, `{"customer_label":"Credit union","note":"Smaller team"}`, "", "", 201},
		{7, `{"name":"Fuzz template","profile_type":"agent","definition":{"sections":[{"key":"a","label":"A","fields":[]}],"dimensions":[]}}`, "", "", 201},
	}
	for _, v := range valid {
		where, code, _, b, ok := fs.send(v.route, []byte(v.body), v.text, v.query)
		if !ok || code != v.want {
			t.Errorf("%s: %d %s; want %d", where, code, b, v.want)
		}
		if msg := fs.check(v.route, []byte(v.body), v.text, v.query); msg != "" { // once more: conflicts are fine
			t.Error(msg)
		}
	}
	// An invalid body is refused by the handler, not by authentication.
	if _, code, _, b, _ := fs.send(0, []byte(`{"name":"","template_id":"{template}"}`), "", ""); code != 422 && code != 400 {
		t.Errorf("invalid persona: %d %s", code, b)
	}
}

// TestFuzzAPICheckCatches: FuzzAPI's check fails on the answers it must
// refuse (handlers standing in for a broken server).
func TestFuzzAPICheckCatches(t *testing.T) {
	answers := map[string]http.HandlerFunc{
		"server error": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) },
		"plain-text 400": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "bad", 400)
		},
		"problem with the wrong status": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(422)
			_, _ = w.Write([]byte(`{"status":400}`))
		},
		"problem that is not JSON": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`not found`))
		},
		"success that is not JSON": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"redirect":                 func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusFound) },
	}
	for name, h := range answers {
		fs := &fuzzServer{h: h, org: "o", persona: "p", tmplate: "t"}
		for route := range uint8(len(fuzzRoutes)) {
			if fs.check(route, []byte(`{}`), "", "") == "" {
				t.Errorf("%s on %s passed", name, fuzzRoutes[route].name)
			}
		}
	}
}

// fuzzing reports whether the test binary is fuzzing (-test.fuzz set)
// rather than running the seed corpus.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}
