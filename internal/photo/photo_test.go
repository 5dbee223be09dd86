package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// halves is a w × h picture, its left half red and its right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, image.Rect(0, 0, w/2, h), &image.Uniform{color.RGBA{255, 0, 0, 255}}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(w/2, 0, w, h), &image.Uniform{color.RGBA{0, 0, 255, 255}}, image.Point{}, draw.Src)
	return img
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gpsSecret is in the EXIF block of withEXIF's picture.
const gpsSecret = "Taken at 51.5074 N 0.1278 W"

// withEXIF inserts an APP1 EXIF segment after the JPEG's SOI marker: an
// orientation (6: turn 90° clockwise to show), an image description and
// a GPS block with a latitude, as a phone writes them.
func withEXIF(t *testing.T, data []byte, orientation uint16) []byte {
	t.Helper()
	le := binary.LittleEndian
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	binary.Write(&tiff, le, uint32(8))
	desc := []byte(gpsSecret + "\x00")
	// IFD0: 3 entries at 8; its data follows (12*3 + 2 + 4 = 42 bytes).
	ifd0End := uint32(8 + 2 + 3*12 + 4)
	descOff := ifd0End
	gpsOff := descOff + uint32(len(desc))
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&tiff, le, tag)
		binary.Write(&tiff, le, typ)
		binary.Write(&tiff, le, count)
		binary.Write(&tiff, le, value)
	}
	binary.Write(&tiff, le, uint16(3))
	entry(0x010E, 2, uint32(len(desc)), descOff) // ImageDescription
	entry(0x0112, 3, 1, uint32(orientation))     // Orientation (SHORT, inline)
	entry(0x8825, 4, 1, gpsOff)                  // GPSInfo
	binary.Write(&tiff, le, uint32(0))
	tiff.Write(desc)
	// GPS IFD: GPSLatitudeRef "N", GPSLatitude 51/1 30/1 2664/100.
	latOff := gpsOff + 2 + 2*12 + 4
	binary.Write(&tiff, le, uint16(2))
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, latOff)
	binary.Write(&tiff, le, uint32(0))
	for _, r := range [][2]uint32{{51, 1}, {30, 1}, {2664, 100}} {
		binary.Write(&tiff, le, r[0])
		binary.Write(&tiff, le, r[1])
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, data[:2]...)
	out = append(out, seg...)
	return append(out, data[2:]...)
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "jpeg" {
		t.Fatalf("output is not a JPEG: %q %v", format, err)
	}
	return img
}

func near(c color.Color, r, g, b uint8) bool {
	cr, cg, cb, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { v := int(x>>8) - int(y); return v > -60 && v < 60 }
	return d(cr, r) && d(cg, g) && d(cb, b)
}

func TestProcessStripsEXIFAndAppliesOrientation(t *testing.T) {
	in := withEXIF(t, encodeJPEG(t, halves(300, 200)), 6)
	if !bytes.Contains(in, []byte(gpsSecret)) || !bytes.Contains(in, []byte("Exif\x00\x00")) {
		t.Fatal("the test picture has no EXIF block")
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(in)); err != nil || cfg.Width != 300 {
		t.Fatalf("the test picture does not decode: %v", err)
	}
	out, err := Process(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(Sizes) {
		t.Fatalf("%d sizes, want %d", len(out), len(Sizes))
	}
	for i, data := range out {
		for _, b := range [][]byte{[]byte("Exif"), []byte(gpsSecret), []byte("51.5074"), {0xFF, 0xE1}, []byte("http://ns.adobe.com/xap")} {
			if bytes.Contains(data, b) {
				t.Errorf("size %d still holds %q", Sizes[i], b)
			}
		}
		img := decode(t, data)
		if b := img.Bounds(); b.Dx() != Sizes[i] || b.Dy() != Sizes[i] {
			t.Errorf("size %d is %v", Sizes[i], b)
		}
		// Turned 90° clockwise: the red left half is now on top.
		n := Sizes[i]
		if top, bottom := img.At(n/2, n/8), img.At(n/2, n-n/8); !near(top, 255, 0, 0) || !near(bottom, 0, 0, 255) {
			t.Errorf("size %d: orientation not applied: top %v, bottom %v", n, top, bottom)
		}
	}
}

func TestProcessCropsTheCentreSquare(t *testing.T) {
	// 400 × 100: left quarter green, the middle half grey, the right
	// quarter green; the centre square is all grey.
	img := image.NewRGBA(image.Rect(0, 0, 400, 100))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0, 200, 0, 255}}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(140, 0, 260, 100), &image.Uniform{color.RGBA{128, 128, 128, 255}}, image.Point{}, draw.Src)
	out, err := Process(encodeJPEG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	sq := decode(t, out[0])
	if b := sq.Bounds(); b.Dx() != Small || b.Dy() != Small {
		t.Fatalf("not square: %v", b)
	}
	for _, x := range []int{2, Small / 2, Small - 3} {
		if c := sq.At(x, Small/2); !near(c, 128, 128, 128) {
			t.Errorf("pixel %d is %v: not the centre", x, c)
		}
	}
}

func TestProcessPNGWithTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 80)) // transparent
	draw.Draw(img, image.Rect(16, 24, 48, 56), &image.Uniform{color.NRGBA{0, 0, 255, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	out, err := Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	large := decode(t, out[1])
	if c := large.At(4, 4); !near(c, 255, 255, 255) {
		t.Errorf("transparency became %v, want white", c)
	}
	if c := large.At(Large/2, Large/2); !near(c, 0, 0, 255) {
		t.Errorf("centre is %v, want blue", c)
	}
}

func TestProcessRefuses(t *testing.T) {
	// A PNG header that claims 100000 × 100000 pixels: a few bytes that
	// would take 40 GB to decode.
	var bomb bytes.Buffer
	bomb.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	binary.Write(&bomb, binary.BigEndian, uint32(len(ihdr)))
	bomb.WriteString("IHDR")
	bomb.Write(ihdr)
	binary.Write(&bomb, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	// A JPEG's signature with garbage after it.
	broken := append([]byte("\xFF\xD8\xFF\xE0"), bytes.Repeat([]byte{1}, 100)...)
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"text":   {[]byte("hello, this is not a picture\n"), "is not a JPEG, PNG or GIF"},
		"html":   {[]byte("<html><img src=x onerror=alert(1)></html>"), "is not a JPEG, PNG or GIF"},
		"empty":  {nil, "is empty"},
		"bomb":   {bomb.Bytes(), "at most 40 megapixels"},
		"broken": {broken, "could not be read"},
		"huge":   {append([]byte("\xFF\xD8\xFF"), make([]byte, MaxBytes)...), "larger than"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Process(tc.data)
			r, ok := err.(*Refused)
			if !ok {
				t.Fatalf("got %v, want a refusal", err)
			}
			if !strings.Contains(r.Message, tc.want) {
				t.Errorf("message %q, want %q", r.Message, tc.want)
			}
		})
	}
}

func TestValidSize(t *testing.T) {
	if !ValidSize(Small) || !ValidSize(Large) || ValidSize(0) || ValidSize(100) {
		t.Fatal("ValidSize")
	}
}

// What Process stores is Stored (so an import keeps it byte for byte);
// an upload with metadata, another size or another format is not.
func TestStoredRecognisesOnlyWhatProcessMakes(t *testing.T) {
	out, err := Process(withEXIF(t, encodeJPEG(t, halves(300, 200)), 6))
	if err != nil {
		t.Fatal(err)
	}
	if !Stored(out[len(out)-1], Large) || !Stored(out[0], Small) {
		t.Fatal("Process's own output is not recognised")
	}
	if Stored(out[0], Large) {
		t.Error("the small size passes for the large one")
	}
	if Stored(withEXIF(t, encodeJPEG(t, halves(300, 200)), 6), Large) {
		t.Error("an upload with EXIF passes")
	}
	withComment := append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, 4, 'h', 'i'}, out[1][2:]...)
	if Stored(withComment, Large) {
		t.Error("a JPEG with a comment passes")
	}
	if Stored([]byte("not a picture"), Large) {
		t.Error("text passes")
	}
}

func TestProcessFitKeepsTheAspectRatioAndDropsEXIF(t *testing.T) {
	// 2400 × 1600, left red and right blue, EXIF orientation 6: shown
	// 1600 × 2400 with red on top.
	in := withEXIF(t, encodeJPEG(t, halves(2400, 1600)), 6)
	out, err := ProcessFit(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(FitSizes) {
		t.Fatalf("%d sizes, want %d", len(out), len(FitSizes))
	}
	want := map[int][2]int{FitSmall: {320, 480}, FitLarge: {800, 1200}}
	for _, f := range out {
		for _, b := range [][]byte{[]byte("Exif"), []byte(gpsSecret), {0xFF, 0xE1}} {
			if bytes.Contains(f.Data, b) {
				t.Errorf("size %d still holds %q", f.Size, b)
			}
		}
		img := decode(t, f.Data)
		w := want[f.Size]
		if b := img.Bounds(); b.Dx() != w[0] || b.Dy() != w[1] || f.Width != w[0] || f.Height != w[1] {
			t.Errorf("size %d is %v (%d × %d), want %v", f.Size, b, f.Width, f.Height, w)
		}
		if top, bottom := img.At(w[0]/2, w[1]/8), img.At(w[0]/2, w[1]-w[1]/8); !near(top, 255, 0, 0) || !near(bottom, 0, 0, 255) {
			t.Errorf("size %d: orientation not applied: top %v, bottom %v", f.Size, top, bottom)
		}
	}
	// A small picture is not enlarged; text is refused as for photos.
	small, err := ProcessFit(encodeJPEG(t, halves(300, 100)))
	if err != nil || small[1].Width != 300 || small[1].Height != 100 {
		t.Errorf("a small picture: %v %+v", err, small)
	}
	if _, err := ProcessFit([]byte("hello")); err == nil {
		t.Error("text accepted")
	}
	if !ValidFitSize(FitSmall) || ValidFitSize(Small) {
		t.Error("ValidFitSize")
	}
}
