package e2e_test

import "testing"

// picturePersona makes a template with a picture field ("desk") and a
// persona on it, for the page walk: its persona page and the field's
// upload page.
func picturePersona(t *testing.T) string {
	t.Helper()
	org := "/api/v1/orgs/" + env.org
	var tmpl struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", org+"/templates", map[string]any{"name": "Pictures " + unique("t"), "profile_type": "ux",
		"description": "A template with a picture field, for the page walk.",
		"definition": map[string]any{"sections": []map[string]any{
			{"key": "look", "label": "Look", "fields": []map[string]any{
				{"key": "role_title", "label": "Role", "kind": "text"},
				{"key": "desk", "label": "Desk", "kind": "image", "help": "A photo of where they work."},
			}},
		}, "dimensions": []any{}}}, &tmpl)
	apiDo(t, "POST", org+"/templates/"+tmpl.ID+"/publish", map[string]any{}, nil)
	var p struct {
		ID string `json:"id"`
	}
	apiDo(t, "POST", org+"/personas", map[string]any{"name": "Desk Dana " + unique("p"), "template_id": tmpl.ID,
		"group_id": findGroup(t, "Product users"), "values": map[string]any{"role_title": "Clerk"}}, &p)
	return p.ID
}

// The image routes are no pages for the page walk (pages_test.go).
func init() {
	notPages["/o/{org}/personas/{id}/images/{imageID}/{size}"] = "an image field's picture (a JPEG, shown by the persona page)"
	notPages["/s/{token}/images/{personaID}/{imageID}/{size}"] = "an image field's picture on a share link (a JPEG, shown by the shared page)"
}
