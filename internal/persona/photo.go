package persona

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"time"
)

// PhotoImage names a persona's own photo among its stored images; an
// image field's value names another (ImageID).
const PhotoImage = "photo"

// PhotoFile is one stored size of one of a persona's images: a square
// JPEG, re-encoded on upload (internal/photo), so it carries no metadata.
type PhotoFile struct {
	PersonaID   string
	Image       string // PhotoImage, or an image field's image ID
	Size        int    // width and height in pixels
	ContentType string
	Data        []byte
	SHA256      string // hex, of Data
	UpdatedAt   time.Time
	UploadedBy  string
}

// imageIDPattern is an image field's value: "img_" and 32 hex digits.
var imageIDPattern = regexp.MustCompile(`^img_[0-9a-f]{32}$`)

// ValidImageID reports whether s is an image ID (ImageID's form).
func ValidImageID(s string) bool { return imageIDPattern.MatchString(s) }

// ImageID names an image field's picture by its stored large JPEG: "img_"
// and the first 32 hex digits of its SHA-256.
func ImageID(large []byte) string {
	sum := sha256.Sum256(large)
	return "img_" + hex.EncodeToString(sum[:16])
}
