package app

import "sort"

// webhookEvents maps an audit entry (object kind, action) to the webhook
// event type it emits: every change runs through inTx with its entry, so
// events follow from the one write seam by construction. A kind or action
// not listed emits nothing. One line per event: add kinds here (comments,
// proposals, reviews) as they arrive.
var webhookEvents = map[[2]string]string{
	{"persona", "create"}:           "persona.created",
	{"persona", "import"}:           "persona.created",
	{"persona", "update"}:           "persona.updated",
	{"persona", "restore"}:          "persona.restored",
	{"persona", "move"}:             "persona.updated",
	{"persona", "restore revision"}: "persona.updated",
	{"persona", "upgrade"}:          "persona.updated",
	{"persona", "set photo"}:        "persona.updated", // its action says which (photos.go)
	{"persona", "remove photo"}:     "persona.updated",
	{"persona", "merge"}:            "persona.updated", // the survivor; the merged one redirects to it (duplicates.go)
	{"persona", "trash"}:            "persona.deleted",
	{"persona", "purge"}:            "persona.purged",

	{"variant", "create"}:           "variant.created",
	{"variant", "update"}:           "variant.updated",
	{"variant", "keep override"}:    "variant.updated",
	{"variant", "drop override"}:    "variant.updated",
	{"variant", "restore revision"}: "variant.updated",
	{"variant", "restore"}:          "variant.restored",
	{"variant", "trash"}:            "variant.deleted",
	{"variant", "purge"}:            "variant.purged",

	{"template", "create"}:     "template.created",
	{"template", "update"}:     "template.updated",
	{"template", "save draft"}: "template.updated",
	{"template", "publish"}:    "template.published",

	{"evidence", "create"}: "evidence.created",
	{"evidence", "upload"}: "evidence.created",
	{"evidence", "update"}: "evidence.updated",
	{"evidence", "delete"}: "evidence.deleted",
	{"evidence", "link"}:   "evidence.linked",
	{"evidence", "unlink"}: "evidence.unlinked",

	{"comment", "create"}:  "comment.created",
	{"comment", "update"}:  "comment.updated",
	{"comment", "delete"}:  "comment.deleted",
	{"comment", "resolve"}: "comment.resolved",
	{"comment", "reopen"}:  "comment.reopened",

	{"proposal", "propose"}:  "proposal.created",
	{"proposal", "accept"}:   "proposal.accepted",
	{"proposal", "decline"}:  "proposal.declined",
	{"proposal", "withdraw"}: "proposal.withdrawn",

	// A review is recorded on its persona (reviews.go).
	{"persona", "review"}: "persona.reviewed",
}

// webhookAPIPaths is where the API serves an object of a kind ({org} and
// {id} replaced); a kind not listed has no URL in its payload.
var webhookAPIPaths = map[string]string{
	"persona":  "/api/v1/orgs/{org}/personas/{id}",
	"variant":  "/api/v1/orgs/{org}/variants/{id}",
	"template": "/api/v1/orgs/{org}/templates/{id}",
	"evidence": "/api/v1/orgs/{org}/evidence/{id}",
}

// WebhookEventTypes lists every event type, sorted (for forms and docs).
func WebhookEventTypes() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range webhookEvents {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
