// Package photo turns an uploaded picture into the square JPEGs Persona Pal
// stores and serves. It does no I/O: bytes in, bytes out.
//
// What it guarantees, whatever was uploaded:
//
//   - the type is decided by the content (JPEG, PNG or GIF signatures,
//     confirmed by the decoder), never by a name or a client's claim;
//   - the dimensions are read from the header before any pixel is decoded,
//     and a picture of more than MaxPixels is refused (a small file can
//     claim an enormous canvas: a decompression bomb);
//   - the EXIF orientation is applied, then the picture is cropped to its
//     centre square and resized (Lanczos) to each of Sizes;
//   - each size is encoded afresh as a baseline JPEG, so nothing of the
//     original file survives: no EXIF (GPS position, camera, time), XMP,
//     IPTC, ICC profile or comment. Transparent parts become white.
//
// Image processing is github.com/disintegration/imaging v1.6.2 (see
// docs/photos.md for the choice).
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"slices"

	// The decoders image.DecodeConfig and imaging may use; Check lets
	// only these three through.
	_ "image/gif"
	_ "image/png"

	"github.com/disintegration/imaging"

	"github.com/personapal/personapal/internal/persona"
)

// Limits and sizes.
const (
	// MaxBytes bounds an uploaded picture.
	MaxBytes = 8 << 20
	// MaxPixels bounds its width × height (40 megapixels: a big phone
	// photo is 12 to 50; decoding takes 4 bytes a pixel).
	MaxPixels = 40_000_000
	// Small is the size of avatars and cards (shown at up to 48 CSS
	// pixels: sharp at 2×).
	Small = 96
	// Large is the size of the one-pager's header and shared pages.
	Large = 512
	// Quality is the JPEG quality of every stored size.
	Quality = 85
	// ContentType is what every stored size is.
	ContentType = "image/jpeg"
)

// Sizes are the sizes stored for each picture, smallest first.
var Sizes = []int{Small, Large}

// ValidSize reports whether n is one of Sizes.
func ValidSize(n int) bool {
	for _, s := range Sizes {
		if s == n {
			return true
		}
	}
	return false
}

// Accepted describes what can be uploaded, for messages and forms.
const Accepted = "a JPEG, PNG or GIF picture"

// Accept is the accept attribute of a file input for a picture.
const Accept = "image/jpeg,image/png,image/gif,.jpg,.jpeg,.png,.gif"

// Refused is a picture that cannot be used; Message is safe to show and
// reads after the field's name ("Photo is not a picture…").
type Refused struct{ Message string }

func (r *Refused) Error() string { return "photo refused: " + r.Message }

func refuse(format string, args ...any) error { return &Refused{Message: fmt.Sprintf(format, args...)} }

// Format is a picture's format found by its first bytes: "jpeg", "png",
// "gif", or "" for anything else.
func Format(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	}
	return ""
}

// Check decides whether data is a picture that can be used, reading only
// its header: the format by its signature (and the decoder's agreement),
// the size of the file and the canvas. It returns the format.
func Check(data []byte) (string, error) {
	if len(data) == 0 {
		return "", refuse("is empty; choose a picture file")
	}
	if len(data) > MaxBytes {
		return "", refuse("is larger than the %s limit for a photo", persona.FormatBytes(MaxBytes))
	}
	format := Format(data)
	if format == "" {
		return "", refuse("is not %s", Accepted)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return "", refuse("could not be read as a %s picture; it may be damaged", formatLabel(format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", refuse("has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return "", refuse("is %d × %d pixels; a photo may have at most %d megapixels", cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	return format, nil
}

func formatLabel(f string) string {
	switch f {
	case "jpeg":
		return "JPEG"
	case "png":
		return "PNG"
	}
	return "GIF"
}

// Sizes of an image field's pictures: the longest side, in pixels. They
// keep their aspect ratio (Fit), unlike photos.
const (
	// FitSmall is the thumbnail of the edit form and of tables.
	FitSmall = 480
	// FitLarge is the picture's own page size (its link).
	FitLarge = 1200
)

// FitSizes are the sizes stored for an image field's picture, smallest
// first.
var FitSizes = []int{FitSmall, FitLarge}

// ValidFitSize reports whether n is one of FitSizes.
func ValidFitSize(n int) bool { return slices.Contains(FitSizes, n) }

// decodeChecked checks data (Check) and decodes it with its EXIF orientation
// applied.
func decodeChecked(data []byte) (image.Image, error) {
	if _, err := Check(data); err != nil {
		return nil, err
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		var r *Refused
		if errors.As(err, &r) {
			return nil, err
		}
		return nil, refuse("could not be read as a picture; it may be damaged")
	}
	return img, nil
}

// Fitted is one size of a fitted picture.
type Fitted struct {
	Data          []byte
	Width, Height int
	Size          int // the bounding box (one of FitSizes)
}

// ProcessFit checks data like Process and returns, for each of FitSizes,
// the picture fitted into a box of that many pixels a side, keeping its
// aspect ratio (never enlarged), flattened onto white and encoded afresh
// as a JPEG without metadata.
func ProcessFit(data []byte) ([]Fitted, error) {
	img, err := decodeChecked(data)
	if err != nil {
		return nil, err
	}
	out := make([]Fitted, 0, len(FitSizes))
	large := flatten(imaging.Fit(img, FitLarge, FitLarge, imaging.Lanczos))
	for _, n := range FitSizes {
		fit := large
		if n != FitLarge {
			fit = flatten(imaging.Fit(large, n, n, imaging.Lanczos))
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, fit, &jpeg.Options{Quality: Quality}); err != nil {
			return nil, err
		}
		b := fit.Bounds()
		out = append(out, Fitted{Data: buf.Bytes(), Width: b.Dx(), Height: b.Dy(), Size: n})
	}
	return out, nil
}

// flatten puts img onto white (JPEG has no transparency).
func flatten(img image.Image) *image.NRGBA {
	b := img.Bounds()
	bg := imaging.New(b.Dx(), b.Dy(), color.White)
	return imaging.Overlay(bg, img, image.Pt(0, 0), 1)
}

// Process checks data (Check), decodes it with its EXIF orientation
// applied, and returns a square JPEG for each of Sizes, in that order.
func Process(data []byte) ([][]byte, error) {
	img, err := decodeChecked(data)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(Sizes))
	// The largest size from the original, the smaller ones from it: one
	// pass over the (possibly big) original.
	large := square(img, Sizes[len(Sizes)-1])
	for _, n := range Sizes {
		sq := large
		if n != large.Bounds().Dx() {
			sq = imaging.Resize(large, n, n, imaging.Lanczos)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, sq, &jpeg.Options{Quality: Quality}); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

// square crops img to its centre square of n × n pixels, flattened onto
// white (JPEG has no transparency).
func square(img image.Image, n int) *image.NRGBA {
	sq := imaging.Fill(img, n, n, imaging.Center, imaging.Lanczos)
	bg := imaging.New(n, n, color.White)
	return imaging.Overlay(bg, sq, image.Pt(0, 0), 1)
}

// Stored reports whether data is already what Process stores at size n:
// a baseline JPEG of n × n pixels with no metadata segment (no APP1–APP15,
// no comment) before its image data. An exported photo is such a file, so
// an import can keep it byte for byte instead of encoding it again (each
// JPEG encoding loses a little).
func Stored(data []byte, n int) bool {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	return err == nil && format == "jpeg" && cfg.Width == n && cfg.Height == n && noMetadata(data)
}

// StoredFit is Stored for an image field's picture: a baseline JPEG without
// metadata that fits FitLarge (ProcessFit never enlarges), kept byte for
// byte by an import.
func StoredFit(data []byte) bool {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	return err == nil && format == "jpeg" && max(cfg.Width, cfg.Height) <= FitLarge && noMetadata(data)
}

// noMetadata reports whether a JPEG's segments before its image data are
// only the baseline frame, its tables and JFIF: no APP1–APP15, no comment.
func noMetadata(data []byte) bool {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return false
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return false
		}
		marker := data[i+1]
		switch {
		case marker == 0xDA: // start of scan: the image data; no metadata before it
			return true
		case marker >= 0xE1 && marker <= 0xEF, marker == 0xFE: // APP1–APP15, COM
			return false
		case marker == 0xC0, marker == 0xC4, marker == 0xDB, marker == 0xDD, marker == 0xE0:
			// baseline frame, Huffman and quantisation tables, restart interval, JFIF
		default:
			return false
		}
		i += 2 + int(data[i+2])<<8 + int(data[i+3])
	}
	return false
}
