package persona

import (
	"strings"
	"time"
)

// OrgRestoreWindow is how long a deleted organisation stays restorable by
// its owners; after it, the periodic sweep purges it with everything in it.
const OrgRestoreWindow = 30 * 24 * time.Hour

// DeletedOrg is a deleted organisation as one of its owners sees it on the
// way to restoring it.
type DeletedOrg struct {
	Org           Org       `json:"org"`
	DeletedAt     time.Time `json:"deleted_at"`
	DeletedBy     string    `json:"deleted_by" doc:"The user ID of the owner who deleted it"`
	DeletedByName string    `json:"deleted_by_name"`
	// DeletedByEmail is "" when that account no longer exists.
	DeletedByEmail string `json:"deleted_by_email"`
}

// PurgeAt is when the organisation is purged unless restored before.
func (d DeletedOrg) PurgeAt() time.Time { return d.DeletedAt.Add(OrgRestoreWindow) }

// ConfirmsOrg reports whether typed, what someone typed to confirm deleting
// org, names it: its slug, or its name, exactly (spaces around either are
// ignored). Deleting is refused otherwise, so a slip of the mouse deletes
// nothing.
func ConfirmsOrg(org Org, typed string) bool {
	typed = strings.TrimSpace(typed)
	return typed != "" && (typed == org.Slug || typed == strings.TrimSpace(org.Name))
}
