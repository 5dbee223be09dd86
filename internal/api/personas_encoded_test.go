package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

// The personas get-persona and list-personas pass through (encodedPersona)
// encode to exactly the bytes the decoded persona does (PersonaJSON), on
// both engines: every demo persona, and one whose text holds what JSON
// escapes (<, >, &, a backslash before "u0026", quotes; U+2028 in Markdown) and whose
// name is an HTML-looking string.
func TestEncodedPersonaIsPersonaJSON(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			svc := app.New(eng.Open(t))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			u, err := svc.UserByEmail(ctx, creds.Email)
			if err != nil {
				t.Fatal(err)
			}
			actor, err := svc.ActorFor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			page, err := svc.ListPersonas(ctx, actor, creds.OrgSlug, persona.PersonaFilter{Limit: app.MaxPageSize}, "")
			if err != nil {
				t.Fatal(err)
			}
			// One persona gets text full of escapes in every text field.
			p := page.Items[0]
			v, err := svc.GetVersion(ctx, actor, creds.OrgSlug, p.TemplateID, p.TemplateVersion)
			if err != nil {
				t.Fatal(err)
			}
			tricky := "<b>Fish & chips</b> \\u0026 \"quoted\" é 😀"
			values := persona.Values{}
			for k, val := range p.Values {
				values[k] = val
			}
			changed := 0
			for _, sec := range v.Definition.Sections {
				for _, f := range sec.Fields {
					switch f.Kind {
					case persona.KindText:
						values[f.Key] = tricky
						changed++
					case persona.KindMarkdown:
						values[f.Key] = tricky + "\u2028 and\nmore"
						changed++
					}
				}
			}
			if changed == 0 {
				t.Fatal("the first demo persona's template has no text field")
			}
			if _, err := svc.UpdatePersona(ctx, actor, creds.OrgSlug, p.ID, p.Revision, app.PersonaInput{
				Name: "<Ops & Co>", Summary: tricky, GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
				Values: values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays,
			}); err != nil {
				t.Fatal(err)
			}

			decoded, err := svc.ListPersonas(ctx, actor, creds.OrgSlug, persona.PersonaFilter{Limit: app.MaxPageSize}, "")
			if err != nil {
				t.Fatal(err)
			}
			encoded, err := svc.ListPersonasEncoded(ctx, actor, creds.OrgSlug, persona.PersonaFilter{Limit: app.MaxPageSize}, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(encoded.Items) != len(decoded.Items) || len(decoded.Items) < 10 {
				t.Fatalf("%d encoded personas, %d decoded", len(encoded.Items), len(decoded.Items))
			}
			for i, d := range decoded.Items {
				want := humaJSON(t, personaJSON(d))
				if got := humaJSON(t, encodedPersona{encoded.Items[i]}); !bytes.Equal(got, want) {
					t.Errorf("list: %s encodes to\n%s\nwant\n%s", d.Name, got, want)
				}
				one, err := svc.GetPersonaEncoded(ctx, actor, creds.OrgSlug, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got := humaJSON(t, encodedPersona{one}); !bytes.Equal(got, want) {
					t.Errorf("get: %s encodes to\n%s\nwant\n%s", d.Name, got, want)
				}
			}
			// A page as list-personas writes it (jsonFormat) is the page of
			// decoded personas as huma would have written it.
			var got bytes.Buffer
			if err := jsonFormat.Marshal(&got, personaListBody{Items: encodedList(encoded.Items)}); err != nil {
				t.Fatal(err)
			}
			want := humaJSON(t, struct {
				Items      []PersonaJSON `json:"items"`
				NextCursor *string       `json:"next_cursor"`
			}{Items: personaList(decoded.Items)})
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("the page is\n%s\nwant\n%s", got.Bytes(), want)
			}
			cursor := "abc"
			got.Reset()
			if err := jsonFormat.Marshal(&got, personaListBody{Items: encodedList(encoded.Items[:1]), NextCursor: &cursor}); err != nil || !bytes.HasSuffix(got.Bytes(), []byte(`],"next_cursor":"abc"}`+"\n")) || !json.Valid(got.Bytes()) {
				t.Errorf("a page with a cursor: %s %v", got.Bytes(), err)
			}
			if !bytes.Contains(humaJSON(t, personaJSON(decoded.Items[0])), []byte(`<b>Fish & chips</b> \\u0026`)) {
				t.Error("the tricky persona is not first or not as expected")
			}
		})
	}
}

// humaJSON encodes v as huma's JSON format does.
func humaJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUnescapeHTML(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":"x \u0026 y"}`:       `{"a":"x & y"}`,
		`{"a":"\u003cb\u003e"}`:    `{"a":"<b>"}`,
		`{"a":"\\u0026"}`:          `{"a":"\\u0026"}`,
		`{"a":"\\\u0026"}`:         `{"a":"\\&"}`,
		`{"a":"\u2028 \u00e9 \n"}`: `{"a":"\u2028 \u00e9 \n"}`,
		`{"a":"end \u002`:          `{"a":"end \u002`,
		`{"a":"\"\u0026\""}`:       `{"a":"\"&\""}`,
	} {
		if got := string(unescapeHTML(json.RawMessage(in))); got != want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", in, got, want)
		}
	}
}
