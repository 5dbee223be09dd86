package persona

import "time"

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
