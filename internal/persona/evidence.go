package persona

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"

	"math"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The evidence library: research material an organisation keeps so that
// every claim in a persona can be traced to something. An item is one of
// four kinds; links attach it to a persona as a whole, to one of its fields
// (claim level) or to a field of one of its customer variants, with a
// stance: the item supports the claim or contradicts it.

// EvidenceKind is the kind of an evidence item.
type EvidenceKind string

// Evidence kinds.
const (
	EvidenceDocument EvidenceKind = "document" // an uploaded file
	EvidenceWebLink  EvidenceKind = "link"     // a URL
	EvidenceQuote    EvidenceKind = "quote"    // what someone said
	EvidenceStudy    EvidenceKind = "study"    // interviews, a survey, analytics, a usability test
)

// EvidenceKinds lists the kinds in display order.
var EvidenceKinds = []EvidenceKind{EvidenceDocument, EvidenceWebLink, EvidenceQuote, EvidenceStudy}

// Valid reports whether k is a known kind.
func (k EvidenceKind) Valid() bool { return slices.Contains(EvidenceKinds, k) }

// Label is the human name of the kind.
func (k EvidenceKind) Label() string {
	switch k {
	case EvidenceDocument:
		return "Document"
	case EvidenceWebLink:
		return "Link"
	case EvidenceQuote:
		return "Quote"
	case EvidenceStudy:
		return "Study"
	}
	return string(k)
}

func (k EvidenceKind) plural() string {
	if k == EvidenceStudy {
		return "studies"
	}
	return string(k) + "s"
}

// StudyMethod is how a study gathered its evidence.
type StudyMethod string

// Study methods.
const (
	MethodInterview     StudyMethod = "interview"
	MethodSurvey        StudyMethod = "survey"
	MethodAnalytics     StudyMethod = "analytics"
	MethodUsabilityTest StudyMethod = "usability_test"
	MethodOther         StudyMethod = "other"
)

// StudyMethods lists the methods in display order.
var StudyMethods = []StudyMethod{MethodInterview, MethodSurvey, MethodAnalytics, MethodUsabilityTest, MethodOther}

// Valid reports whether m is a known method.
func (m StudyMethod) Valid() bool { return slices.Contains(StudyMethods, m) }

// Label is the human name of the method.
func (m StudyMethod) Label() string {
	switch m {
	case MethodInterview:
		return "Interviews"
	case MethodSurvey:
		return "Survey"
	case MethodAnalytics:
		return "Analytics"
	case MethodUsabilityTest:
		return "Usability test"
	case MethodOther:
		return "Other"
	}
	return string(m)
}

// EvidenceFile describes the file of a document. The content type is the
// one found by looking at the content (SniffUpload), never the one a client
// claimed.
type EvidenceFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Viewer says how the app shows the file: "pdf", "image", "text",
// "markdown" or "csv".
func (f EvidenceFile) Viewer() string {
	for _, t := range fileTypes {
		if t.ContentType == f.ContentType {
			return t.Viewer
		}
	}
	return ""
}

// Disposition is the Content-Disposition header for serving the file:
// inline (shown in the browser) or as an attachment (saved).
func (f EvidenceFile) Disposition(inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	name := f.Name
	if name == "" {
		name = "evidence"
	}
	if v := mime.FormatMediaType(kind, map[string]string{"filename": name}); v != "" {
		return v
	}
	return kind
}

// ServeHeaders are the response headers that serve a stored file safely.
type ServeHeaders struct {
	ContentType        string
	ContentDisposition string
	ContentSecurity    string // Content-Security-Policy
	FrameOptions       string // X-Frame-Options
	ContentTypeOptions string // X-Content-Type-Options
}

// Headers says how to serve the file. The type is the sniffed one and
// browsers must not guess another (nosniff). Shown inline, the file may be
// framed by the app's own pages (the PDF and image viewers) and nothing
// else; saved as an attachment, it may not be framed at all. Every type but
// PDF is also sandboxed with nothing allowed to load; a PDF is not, because
// browsers' built-in PDF viewers do not run in a sandbox or under
// default-src 'none' (and a PDF served as application/pdf with nosniff is
// only ever handed to that viewer).
func (f EvidenceFile) Headers(inline bool) ServeHeaders {
	h := ServeHeaders{ContentType: f.ContentType, ContentDisposition: f.Disposition(inline),
		ContentTypeOptions: "nosniff", FrameOptions: "DENY"}
	if h.ContentType == "" {
		h.ContentType = "application/octet-stream"
	}
	ancestors := "frame-ancestors 'none'"
	if inline {
		ancestors = "frame-ancestors 'self'"
		h.FrameOptions = "SAMEORIGIN"
	}
	if f.Viewer() == "pdf" && inline {
		h.ContentSecurity = ancestors
	} else {
		h.ContentSecurity = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; " + ancestors
	}
	return h
}

// Evidence is one item of the evidence library. Only the fields of its kind
// are set: URL for links; Quote and Speaker for quotes; Method and
// Participants for studies; File for documents.
type Evidence struct {
	ID    string       `json:"id"`
	OrgID string       `json:"-"`
	Kind  EvidenceKind `json:"kind"`
	Title string       `json:"title"`
	// Source says where it comes from: a publication, a team, a customer.
	Source string `json:"source,omitempty"`
	// CollectedOn is when the evidence was gathered (YYYY-MM-DD); for a
	// study, its date.
	CollectedOn string   `json:"collected_on,omitempty"`
	Tags        []string `json:"tags"`
	// Summary is what the item shows, in a few sentences (Markdown).
	Summary      string        `json:"summary,omitempty"`
	URL          string        `json:"url,omitempty"`
	Quote        string        `json:"quote,omitempty"`
	Speaker      string        `json:"speaker,omitempty"`
	Method       StudyMethod   `json:"method,omitempty"`
	Participants int           `json:"participants,omitempty"`
	File         *EvidenceFile `json:"file,omitempty"`
	// LinkCount counts the item's visible links (read-only).
	LinkCount     int       `json:"link_count"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	CreatedByName string    `json:"created_by_name,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
}

// EvidenceFilter narrows a library listing. Empty fields do not filter.
type EvidenceFilter struct {
	Kind   EvidenceKind
	Tag    string
	Before string // keyset cursor: items with ID < Before (IDs sort by creation)
	Limit  int
}

// Limits for evidence.
const (
	MaxEvidenceTags     = 20
	MaxTagLength        = 40
	MaxQuoteLength      = 5000
	MaxExcerptLength    = 2000
	MaxPageRefLength    = 100
	MaxFileNameLength   = 200
	MaxParticipants     = 10_000_000
	DefaultMaxUpload    = 20 << 20 // bytes
	maxEvidenceTextBody = 200_000  // characters of a document indexed for search
)

// ValidateEvidence trims and checks an item in place: title required; a
// valid collected-on date; tags trimmed, lower-cased and de-duplicated; the
// fields of its kind present and valid, the fields of other kinds empty.
// The file of a document is checked by SniffUpload, not here; a document
// must have one.
func ValidateEvidence(e *Evidence) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }
	text := func(path string, s *string, max int, required, multiLine bool) {
		problem := LineProblem
		if multiLine {
			*s, problem = CleanText(*s), TextProblem
		}
		*s = strings.TrimSpace(*s)
		switch {
		case *s == "" && required:
			add(path, "is required")
		case *s != "":
			if msg := problem(*s, max); msg != "" {
				add(path, msg)
			}
		}
	}
	if !e.Kind.Valid() {
		add("kind", "must be one of: document, link, quote, study")
	}
	text("title", &e.Title, MaxNameLength, true, false)
	text("source", &e.Source, MaxNameLength, false, false)
	text("summary", &e.Summary, MaxStringLength, false, true)
	e.CollectedOn = strings.TrimSpace(e.CollectedOn)
	if e.CollectedOn != "" && !validDate(e.CollectedOn) {
		add("collected_on", "must be a date (YYYY-MM-DD)")
	}
	tags, msg := normaliseTags(e.Tags)
	if msg != "" {
		add("tags", msg)
	}
	e.Tags = tags

	onlyFor := func(path string, set bool, kind EvidenceKind) {
		if set && e.Kind != kind {
			add(path, "only "+kind.plural()+" have this")
		}
	}
	e.URL = strings.TrimSpace(e.URL)
	e.Quote = CleanText(e.Quote)
	e.Speaker = strings.TrimSpace(e.Speaker)
	onlyFor("url", e.URL != "", EvidenceWebLink)
	onlyFor("quote", e.Quote != "", EvidenceQuote)
	onlyFor("speaker", e.Speaker != "", EvidenceQuote)
	onlyFor("method", e.Method != "", EvidenceStudy)
	onlyFor("participants", e.Participants != 0, EvidenceStudy)
	onlyFor("file", e.File != nil, EvidenceDocument)
	switch e.Kind {
	case EvidenceWebLink:
		switch {
		case e.URL == "":
			add("url", "is required")
		case len(e.URL) > 2000 || !validURL(e.URL) || HasControl(e.URL):
			add("url", "must be an http or https address")
		}
	case EvidenceQuote:
		text("quote", &e.Quote, MaxQuoteLength, true, true)
		text("speaker", &e.Speaker, MaxNameLength, false, false)
	case EvidenceStudy:
		if !e.Method.Valid() {
			add("method", "must be one of: interview, survey, analytics, usability_test, other")
		}
		if e.Participants < 0 || e.Participants > MaxParticipants {
			add("participants", fmt.Sprintf("must be between 0 and %d", MaxParticipants))
		}
	case EvidenceDocument:
		if e.File == nil {
			add("file", "is required")
		}
	}
	return Invalid("invalid evidence", errs)
}

// normaliseTags trims, lower-cases and de-duplicates tags, keeping their
// order, and says what is wrong with them.
func normaliseTags(in []string) ([]string, string) {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if msg := LineProblem(t, MaxTagLength); msg != "" {
			return out, "each tag " + strings.TrimPrefix(msg, "is ")
		}
		if strings.ContainsRune(t, ',') {
			return out, "tags must not contain commas"
		}
		out = append(out, t)
	}
	if len(out) > MaxEvidenceTags {
		return out, fmt.Sprintf("must be at most %d tags", MaxEvidenceTags)
	}
	return out, ""
}

// SplitTags reads comma-separated tags (as typed into a form).
func SplitTags(s string) []string {
	var out []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// EvidenceEntry is an item's search entry: its title, and as body its
// source, tags, summary, quote and speaker, URL, and the text of a text,
// Markdown or CSV document (fileText; capped).
func EvidenceEntry(e Evidence, fileText string) SearchEntry {
	parts := []string{e.Source, strings.Join(e.Tags, " "), e.Summary, e.Quote, e.Speaker, e.URL}
	if e.File != nil {
		parts = append(parts, e.File.Name)
	}
	fileText = strings.ReplaceAll(strings.ToValidUTF8(fileText, ""), "\x00", "")
	if fileText != "" {
		if utf8.RuneCountInString(fileText) > maxEvidenceTextBody {
			fileText = string([]rune(fileText)[:maxEvidenceTextBody])
		}
		parts = append(parts, fileText)
	}
	var body []string
	for _, p := range parts {
		if p != "" {
			body = append(body, p)
		}
	}
	return SearchEntry{OrgID: e.OrgID, Kind: EntryEvidence, RefID: e.ID, Title: e.Title, Body: strings.Join(body, "\n")}
}

// ---- uploads ----

// fileType is one type of file the library accepts.
type fileType struct {
	ContentType string
	Viewer      string
	Label       string
	Exts        []string
}

var fileTypes = []fileType{
	{"application/pdf", "pdf", "a PDF", []string{".pdf"}},
	{"image/png", "image", "a PNG image", []string{".png"}},
	{"image/jpeg", "image", "a JPEG image", []string{".jpg", ".jpeg", ".jpe", ".jfif"}},
	{"image/gif", "image", "a GIF image", []string{".gif"}},
	{"image/webp", "image", "a WebP image", []string{".webp"}},
	{"text/markdown; charset=utf-8", "markdown", "Markdown", []string{".md", ".markdown"}},
	{"text/csv; charset=utf-8", "csv", "CSV", []string{".csv"}},
	{"text/plain; charset=utf-8", "text", "plain text", []string{".txt", ".text", ".log"}},
}

// AllowedUploads describes what can be uploaded, for messages and forms.
const AllowedUploads = "PDF, images (PNG, JPEG, GIF, WebP), plain text, Markdown or CSV"

// UploadAccept is the accept attribute of a file input for the allowed
// types.
func UploadAccept() string {
	var exts []string
	for _, t := range fileTypes {
		exts = append(exts, t.Exts...)
	}
	return strings.Join(exts, ",")
}

func typeByExt(ext string) (fileType, bool) {
	for _, t := range fileTypes {
		if slices.Contains(t.Exts, ext) {
			return t, true
		}
	}
	return fileType{}, false
}

func typeByContentType(ct string) fileType {
	for _, t := range fileTypes {
		if t.ContentType == ct {
			return t
		}
	}
	return fileType{}
}

// SniffUpload decides the type of an uploaded file by its content, never by
// its name or a client's claim: PDF (starts with %PDF-), PNG, JPEG, GIF and
// WebP (by their signatures), or UTF-8 text without NUL bytes, which is
// Markdown when named .md, CSV when named .csv (and then must parse as CSV)
// and plain text otherwise. Anything else — HTML, scripts, archives,
// executables, UTF-16 text — is refused, and so is an empty file. When the
// name has an extension it must agree with the content (a text file named
// x.pdf is refused). The returned file has a clean name, the type, the size;
// SHA256 is left for the caller.
func SniffUpload(name string, data []byte) (EvidenceFile, error) {
	bad := func(msg string) (EvidenceFile, error) {
		return EvidenceFile{}, Invalid("the file cannot be added", []FieldError{{Field: "file", Message: msg}})
	}
	name = CleanFileName(name)
	if len(data) == 0 {
		return bad("is empty; choose a file with something in it")
	}
	ext := strings.ToLower(path.Ext(name))
	var t fileType
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		t = typeByContentType("application/pdf")
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		t = typeByContentType("image/png")
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		t = typeByContentType("image/jpeg")
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		t = typeByContentType("image/gif")
	case len(data) >= 16 && string(data[:4]) == "RIFF" && string(data[8:15]) == "WEBPVP8":
		t = typeByContentType("image/webp")
	default:
		sniffed := http.DetectContentType(data[:min(len(data), 512)])
		if !strings.HasPrefix(sniffed, "text/plain") || !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return bad("is " + describeType(sniffed, data) + ", which cannot be added; upload " + AllowedUploads)
		}
		switch ext {
		case ".md", ".markdown":
			t = typeByContentType("text/markdown; charset=utf-8")
		case ".csv":
			t = typeByContentType("text/csv; charset=utf-8")
			if msg := csvProblem(data); msg != "" {
				return bad(msg)
			}
		default:
			t = typeByContentType("text/plain; charset=utf-8")
		}
	}
	if ext != "" && !slices.Contains(t.Exts, ext) {
		if claimed, ok := typeByExt(ext); ok {
			return bad(fmt.Sprintf("is named %s but its content is %s, not %s", ext, t.Label, claimed.Label))
		}
		return bad(fmt.Sprintf("has the extension %s, which cannot be added; its content is %s, so name it %s", ext, t.Label, t.Exts[0]))
	}
	return EvidenceFile{Name: name, ContentType: t.ContentType, Size: int64(len(data))}, nil
}

// describeType names what a refused file seems to be.
func describeType(sniffed string, data []byte) string {
	mt, _, _ := strings.Cut(sniffed, ";")
	switch {
	case mt == "text/html":
		return "an HTML page"
	case mt == "text/xml":
		return "an XML document"
	case strings.HasPrefix(sniffed, "text/plain") && !utf8.Valid(data):
		return "text that is not UTF-8"
	case strings.HasPrefix(sniffed, "text/plain"):
		return "text with NUL bytes"
	case mt == "application/octet-stream":
		return "a binary file of an unknown type"
	}
	return "of type " + mt
}

// csvProblem says why data does not parse as CSV, or "". It reads with
// CheckCSV, whose memory does not grow with the file: encoding/csv would
// hold a record of ten million fields for 10 MB of commas.
func csvProblem(data []byte) string {
	n, err := CheckCSV(bytes.NewReader(data))
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Sprintf("is not valid CSV: line %d: %v", pe.Line, pe.Err)
		}
		return "is not valid CSV"
	}
	if n == 0 {
		return "is not valid CSV: it has no rows"
	}
	return ""
}

// CleanFileName keeps the last element of an uploaded file's name (browsers
// and clients may send a path), without control characters or surrounding
// space, at most 200 characters (the extension kept). An empty name becomes
// "upload".
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "upload"
	}
	if utf8.RuneCountInString(name) > MaxFileNameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = string(stem[:MaxFileNameLength-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// FormatBytes writes a size for people: "20 MB", "1.5 KB", "300 bytes".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return trimZero(float64(n)/(1<<10)) + " KB"
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(f float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", math.Floor(f*10)/10), ".0")
}

// ---- links ----

// Stance is whether an item backs a claim or goes against it.
type Stance string

// Stances.
const (
	StanceSupports    Stance = "supports"
	StanceContradicts Stance = "contradicts"
)

// Valid reports whether s is a known stance.
func (s Stance) Valid() bool { return slices.Contains(Stances, s) }

// Stances are the stances a link can take.
var Stances = []Stance{StanceSupports, StanceContradicts}

// EvidenceLink attaches an item to a persona (Field empty), to one of its
// fields (Field "values.<key>"), or to a field of one of its customer
// variants (VariantID set). A link is visible only while its persona (and
// variant) is live.
type EvidenceLink struct {
	ID         string `json:"id"`
	OrgID      string `json:"-"`
	EvidenceID string `json:"evidence_id"`
	PersonaID  string `json:"persona_id"`
	VariantID  string `json:"variant_id,omitempty"`
	Field      string `json:"field,omitempty"`
	Stance     Stance `json:"stance"`
	// Excerpt is the passage that bears on the claim; Page locates it
	// ("p. 12", "14:05").
	Excerpt   string    `json:"excerpt,omitempty"`
	Page      string    `json:"page,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// Read-only context for display: the store fills the item's title and
	// kind and the persona's name; the app the field's label and the
	// variant's customer type.
	EvidenceTitle string       `json:"evidence_title"`
	EvidenceKind  EvidenceKind `json:"evidence_kind"`
	PersonaName   string       `json:"persona_name"`
	FieldLabel    string       `json:"field_label,omitempty"`
	VariantName   string       `json:"variant_name,omitempty"`
}

// FieldKey returns the field key of a field link ("" for a link to the
// whole persona).
func (l EvidenceLink) FieldKey() string { return strings.TrimPrefix(l.Field, "values.") }

// EvidenceLinkFilter selects links; exactly one field should be set.
type EvidenceLinkFilter struct {
	EvidenceID string
	PersonaID  string // the persona's own links and those on its variants
	VariantID  string
	GroupID    string
}

// ValidateEvidenceLink trims and checks a link in place: the stance, the
// field path ("" or "values.<key>"; a variant link needs a field), and the
// excerpt and page reference. Whether the field exists in the persona's
// template is the caller's to check.
func ValidateEvidenceLink(l *EvidenceLink) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }
	if strings.TrimSpace(l.PersonaID) == "" {
		add("persona_id", "is required")
	}
	if !l.Stance.Valid() {
		add("stance", "must be supports or contradicts")
	}
	l.Field = strings.TrimSpace(l.Field)
	if l.Field != "" {
		key, ok := strings.CutPrefix(l.Field, "values.")
		if !ok || !ValidKey(key) {
			add("field", `must be "values.<field key>", or empty for the whole persona`)
		}
	} else if l.VariantID != "" {
		add("field", "a link to a variant must name one of its fields")
	}
	l.Excerpt = CleanText(l.Excerpt)
	if msg := TextProblem(l.Excerpt, MaxExcerptLength); msg != "" {
		add("excerpt", msg)
	}
	l.Page = strings.TrimSpace(l.Page)
	if msg := LineProblem(l.Page, MaxPageRefLength); msg != "" {
		add("page", msg)
	}
	return Invalid("invalid evidence link", errs)
}

// ---- coverage ----

// FieldState is what the evidence says about one field of a persona.
type FieldState string

// Field states.
const (
	FieldBacked       FieldState = "backed"       // supported, not contradicted
	FieldContradicted FieldState = "contradicted" // contradicted, not supported
	FieldContested    FieldState = "contested"    // both supported and contradicted
	FieldAssumption   FieldState = "assumption"   // filled in, no evidence either way
	FieldEmpty        FieldState = "empty"        // not filled in
)

// Label is the human name of the state.
func (s FieldState) Label() string {
	switch s {
	case FieldBacked:
		return "Backed by evidence"
	case FieldContradicted:
		return "Contradicted"
	case FieldContested:
		return "Backed and contradicted"
	case FieldAssumption:
		return "Assumption"
	case FieldEmpty:
		return "Not filled in"
	}
	return string(s)
}

// FieldEvidence is the evidence on one field.
type FieldEvidence struct {
	Path        string     `json:"path"` // "values.<key>"
	Key         string     `json:"key"`
	Label       string     `json:"label"`
	Section     string     `json:"section"`
	Filled      bool       `json:"filled"`
	Supports    int        `json:"supports"`
	Contradicts int        `json:"contradicts"`
	State       FieldState `json:"state"`
}

// Backed reports whether at least one item supports the field.
func (f FieldEvidence) Backed() bool { return f.Supports > 0 }

// Contradicted reports whether at least one item contradicts the field.
func (f FieldEvidence) Contradicted() bool { return f.Contradicts > 0 }

// CoverageSummary is the evidence coverage of one or more personas: of the
// Filled (non-empty) fields, Backed have at least one supporting link,
// Contradicted at least one contradicting link, and Assumptions none at all.
// Percent is Backed/Filled, rounded (0 when nothing is filled).
type CoverageSummary struct {
	Filled       int `json:"filled"`
	Backed       int `json:"backed"`
	Contradicted int `json:"contradicted"`
	Assumptions  int `json:"assumptions"`
	Percent      int `json:"percent"`
}

// Add sums two summaries and recomputes the percentage.
func (c CoverageSummary) Add(o CoverageSummary) CoverageSummary {
	c.Filled += o.Filled
	c.Backed += o.Backed
	c.Contradicted += o.Contradicted
	c.Assumptions += o.Assumptions
	c.Percent = percent(c.Backed, c.Filled)
	return c
}

// Coverage is the evidence coverage of one persona (or variant), field by
// field in template order.
type Coverage struct {
	CoverageSummary
	Fields []FieldEvidence `json:"fields"`
}

// Field returns the evidence on one field (by key), zero when unknown.
func (c Coverage) Field(key string) FieldEvidence {
	for _, f := range c.Fields {
		if f.Key == key {
			return f
		}
	}
	return FieldEvidence{}
}

// InState lists the fields in a state, in template order.
func (c Coverage) InState(s FieldState) []FieldEvidence {
	var out []FieldEvidence
	for _, f := range c.Fields {
		if f.State == s {
			out = append(out, f)
		}
	}
	return out
}

func percent(part, whole int) int {
	if whole <= 0 {
		return 0
	}
	return int(math.Round(100 * float64(part) / float64(whole)))
}

// ComputeCoverage works out a persona's evidence coverage: every field of
// its template version with its values, counting the persona's own field
// links (links to the whole persona and links on variants do not count).
// Coverage is the share of non-empty fields with at least one supporting
// link.
func ComputeCoverage(def Definition, t ProfileType, values Values, links []EvidenceLink) Coverage {
	return coverage(def, t, values, func(key string) []EvidenceLink {
		var out []EvidenceLink
		for _, l := range links {
			if l.VariantID == "" && l.FieldKey() == key && l.Field != "" {
				out = append(out, l)
			}
		}
		return out
	})
}

// ComputeVariantCoverage works out a customer variant's coverage over its
// effective values: a field the variant overrides counts the links on the
// variant's field; a field it does not override follows the base, so it
// counts the base persona's links.
func ComputeVariantCoverage(def Definition, t ProfileType, base Content, v Variant, links []EvidenceLink) Coverage {
	eff := Effective(base, v.VariantContent)
	return coverage(def, t, eff.Values, func(key string) []EvidenceLink {
		_, overridden := v.Values[key]
		var out []EvidenceLink
		for _, l := range links {
			if l.Field == "" || l.FieldKey() != key {
				continue
			}
			if (overridden && l.VariantID == v.ID) || (!overridden && l.VariantID == "") {
				out = append(out, l)
			}
		}
		return out
	})
}

func coverage(def Definition, t ProfileType, values Values, linksOf func(key string) []EvidenceLink) Coverage {
	var c Coverage
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			fe := FieldEvidence{Path: "values." + f.Key, Key: f.Key, Label: f.Label, Section: s.LabelFor(t),
				Filled: !isEmptyValue(values[f.Key])}
			for _, l := range linksOf(f.Key) {
				switch l.Stance {
				case StanceSupports:
					fe.Supports++
				case StanceContradicts:
					fe.Contradicts++
				}
			}
			switch {
			case !fe.Filled:
				fe.State = FieldEmpty
			case fe.Supports > 0 && fe.Contradicts > 0:
				fe.State = FieldContested
			case fe.Supports > 0:
				fe.State = FieldBacked
			case fe.Contradicts > 0:
				fe.State = FieldContradicted
			default:
				fe.State = FieldAssumption
			}
			if fe.Filled {
				c.Filled++
				if fe.Supports > 0 {
					c.Backed++
				}
				if fe.Contradicts > 0 {
					c.Contradicted++
				}
				if fe.Supports == 0 && fe.Contradicts == 0 {
					c.Assumptions++
				}
			}
			c.Fields = append(c.Fields, fe)
		}
	}
	c.Percent = percent(c.Backed, c.Filled)
	return c
}
