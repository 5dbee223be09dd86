package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/personapal/personapal/internal/persona"
)

// Compact history (issue 20, migration 00041). A persona revision is
// stored as a full snapshot of its content (content_kind 'full') or as the
// change from the revision before it ('delta', a persona.ContentDelta).
// Revision 1 and every snapshotEvery-th revision after it (17, 33, …) are
// snapshots, and so is a revision whose delta would not be small (a
// restore of an old revision, say) or whose predecessor is not there; a
// revision is rebuilt from the nearest snapshot at or before it, in one
// query. Large JSON (the snapshots) is stored compressed with DEFLATE in
// content_packed, content then being an empty JSON object. Rows written before
// the migration are uncompressed snapshots and read as before.
//
// Why 16: rebuilding revision n reads at most 16 rows (one snapshot of
// about 1 KB packed and up to 15 deltas of a few hundred bytes, a
// sub-millisecond query and decode), while a snapshot's cost (about 1 KB
// packed, against a couple of hundred bytes for a one-field delta) is
// spread over 16 revisions: about 60 bytes each. Twice as many (32) would
// save about 30 bytes a revision and double the rows a read of the newest
// revision of a long history decodes.
const snapshotEvery = 16

// Storage forms of a revision (content_kind).
const (
	revisionFull  = "full"
	revisionDelta = "delta"
)

// packMin is the size of JSON from which it is stored compressed: a
// one-field delta is smaller and gains little.
const packMin = 512

// storedRevision is a revision's content as stored.
type storedRevision struct {
	number int
	kind   string
	raw    []byte // JSON of a persona.Content (full) or persona.ContentDelta (delta)
}

// revisionCols are the columns revisionBody scans after the revision's
// own columns.
const revisionCols = `r.content_kind, r.content, r.content_packed`

// scanBody scans content_kind, content and content_packed into a
// storedRevision, inflating a packed one.
type scanBody struct{ r *storedRevision }

func (s scanBody) targets() []any {
	return []any{&s.r.kind, rawCol{&s.r.raw}, packedCol{&s.r.raw}}
}

// rawCol scans a JSON column (text or jsonb) as bytes.
type rawCol struct{ b *[]byte }

func (c rawCol) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*c.b = []byte(v)
	case []byte:
		*c.b = bytes.Clone(v)
	case nil:
		*c.b = nil
	default:
		return fmt.Errorf("store: cannot scan %T as revision content", src)
	}
	return nil
}

// packedCol scans content_packed: when not NULL, it replaces what rawCol
// scanned (content is then an empty JSON object). It must come after rawCol.
type packedCol struct{ b *[]byte }

func (c packedCol) Scan(src any) error {
	var z []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		z = []byte(v)
	case []byte:
		z = v
	default:
		return fmt.Errorf("store: cannot scan %T as packed revision content", src)
	}
	raw, err := inflate(z)
	if err != nil {
		return fmt.Errorf("store: inflate revision content: %w", err)
	}
	*c.b = raw
	return nil
}

// Snapshots are DEFLATE streams, written and read with klauspost/compress
// (v1.20.4, already the HTTP layer's gzip): the same format as the
// standard library's compress/flate, which wrote the snapshots of earlier
// versions, at half its CPU per snapshot for the same size and a fifth
// less per inflate (BenchmarkRevisionCodec; docs/BENCHMARKS.md).
var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // level 1: nearly the ratio of 6 (-5%), several times faster
	return w
}}

// deflate compresses raw.
func deflate(raw []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(raw) / 2)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&b)
	_, _ = w.Write(raw) // a bytes.Buffer does not fail
	_ = w.Close()
	flateWriters.Put(w)
	return b.Bytes()
}

var flateReaders sync.Pool

func inflate(z []byte) ([]byte, error) {
	src := bytes.NewReader(z)
	r, _ := flateReaders.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(z) * 3)
	_, err := out.ReadFrom(r)
	flateReaders.Put(r)
	return out.Bytes(), err
}

// encodedRevision is what insertRevision writes: the form, the JSON for
// content and, for packed JSON, the compressed bytes (content is then
// "null").
type encodedRevision struct {
	kind    string
	content string
	packed  []byte
	rawLen  int // length of the JSON, before compression
}

func encodeStored(kind string, raw []byte) encodedRevision {
	if len(raw) >= packMin {
		if z := deflate(raw); len(z) < len(raw)*3/4 {
			return encodedRevision{kind: kind, content: "{}", packed: z, rawLen: len(raw)}
		}
	}
	return encodedRevision{kind: kind, content: string(raw), rawLen: len(raw)}
}

// encodeRevision chooses rev's stored form. prev is the content of
// revision number-1 and prevSize the size of the stored JSON its rebuild
// started from, when found (ok).
func encodeRevision(number int, c persona.Content, prev persona.Content, prevSize int, ok bool) (encodedRevision, error) {
	if ok && (number-1)%snapshotEvery != 0 {
		d := persona.DiffContent(prev, c)
		raw, err := json.Marshal(d)
		if err != nil {
			return encodedRevision{}, fmt.Errorf("store: encode revision delta: %w", err)
		}
		// A delta worth keeping is small against the snapshot it builds on;
		// a large one (a restore, an import over the persona) is a snapshot.
		if len(raw) < prevSize/2 {
			return encodeStored(revisionDelta, raw), nil
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return encodedRevision{}, fmt.Errorf("store: encode json: %w", err)
	}
	return encodeStored(revisionFull, raw), nil
}

// decodeDelta decodes a stored delta with the values it sets in canonical
// form (as decodeContent reads a snapshot's).
func decodeDelta(raw []byte) (persona.ContentDelta, error) {
	var d persona.ContentDelta
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("store: decode revision delta: %w", err)
	}
	for _, m := range []*persona.MapDelta{d.Values, d.Dimensions, d.Retired} {
		if m != nil && m.Set != nil {
			m.Set = canonicalValues(m.Set)
		}
	}
	return d, nil
}

// applyStored applies a decoded delta to the content of the revision before
// it and gives what decodeContent would give for the full JSON: values and
// dimensions never nil, retired values nil when empty.
func applyStored(prev persona.Content, d persona.ContentDelta) persona.Content {
	return rebuiltShape(persona.ApplyDelta(prev, d))
}

// rebuiltShape gives c the shape of a revision read back from the store:
// values and dimensions never nil, retired values nil when empty.
func rebuiltShape(c persona.Content) persona.Content {
	if c.Values == nil {
		c.Values = persona.Values{}
	}
	if c.Dimensions == nil {
		c.Dimensions = persona.Values{}
	}
	if len(c.Retired) == 0 {
		c.Retired = nil
	}
	return c
}

// rebuilder turns a persona's stored revisions, in ascending order, into
// contents.
type rebuilder struct {
	have     bool
	number   int
	content  persona.Content
	baseSize int // size of the stored JSON of the snapshot the chain starts from
}

// next decodes s, which must be a snapshot or the delta of the revision
// right after the previous one.
func (b *rebuilder) next(personaID string, s storedRevision) (persona.Content, error) {
	switch s.kind {
	case revisionFull:
		c, err := decodeContent(s.raw)
		if err != nil {
			return c, err
		}
		b.have, b.number, b.content, b.baseSize = true, s.number, c, len(s.raw)
		return c, nil
	case revisionDelta:
		if !b.have || s.number != b.number+1 {
			return persona.Content{}, fmt.Errorf("store: revision %d of persona %s is a delta without the revision before it", s.number, personaID)
		}
		d, err := decodeDelta(s.raw)
		if err != nil {
			return persona.Content{}, err
		}
		b.number, b.content = s.number, applyStored(b.content, d)
		return b.content, nil
	}
	return persona.Content{}, fmt.Errorf("store: revision %d of persona %s has an unknown form %q", s.number, personaID, s.kind)
}

// chainSelect reads revisions $3 back to the nearest snapshot at or before
// it, in ascending order: at most snapshotEvery rows (and at most as many
// as a history that predates migration 00041 has deltas: none).
const chainSelect = `SELECT r.org_id, r.persona_id, r.number, r.author_id, r.message, r.created_at, ` + revisionCols + `
	FROM persona_revisions r
	WHERE r.org_id = $1 AND r.persona_id = $2 AND r.number <= $3 AND r.number >= (
		SELECT MAX(s.number) FROM persona_revisions s
		WHERE s.org_id = $1 AND s.persona_id = $2 AND s.number <= $3 AND s.content_kind = 'full')
	ORDER BY r.number`

// chainBodySelect is chainSelect with only what a rebuild needs: what an
// update reads to diff against the revision before it.
const chainBodySelect = `SELECT r.number, ` + revisionCols + `
	FROM persona_revisions r
	WHERE r.org_id = $1 AND r.persona_id = $2 AND r.number <= $3 AND r.number >= (
		SELECT MAX(s.number) FROM persona_revisions s
		WHERE s.org_id = $1 AND s.persona_id = $2 AND s.number <= $3 AND s.content_kind = 'full')
	ORDER BY r.number`

// previousContent rebuilds the content of revision number of a persona
// through q (an update's transaction), with the size of the stored JSON
// of the snapshot it starts from; found is false when there is no such
// revision.
func previousContent(ctx context.Context, q querier, orgID, personaID string, number int) (c persona.Content, baseSize int, found bool, err error) {
	rows, err := q.QueryContext(ctx, chainBodySelect, orgID, personaID, number)
	if err != nil {
		return c, 0, false, err
	}
	defer rows.Close()
	var b rebuilder
	for rows.Next() {
		var st storedRevision
		if err := rows.Scan(append([]any{&st.number}, scanBody{&st}.targets()...)...); err != nil {
			return c, 0, false, err
		}
		if c, err = b.next(personaID, st); err != nil {
			return c, 0, false, err
		}
		found = st.number == number
	}
	if err := rows.Err(); err != nil {
		return c, 0, false, err
	}
	return c, b.baseSize, found, nil
}

// revisionChain reads and rebuilds revision number of a persona through q;
// found is false when there is no such revision.
func revisionChain(ctx context.Context, q querier, orgID, personaID string, number int) (rev persona.Revision, found bool, err error) {
	rows, err := q.QueryContext(ctx, chainSelect, orgID, personaID, number)
	if err != nil {
		return rev, false, err
	}
	defer rows.Close()
	var b rebuilder
	for rows.Next() {
		var (
			r  persona.Revision
			st storedRevision
		)
		if err := rows.Scan(append([]any{&r.OrgID, &r.PersonaID, &r.Number, &r.AuthorID, &r.Message, timeCol{&r.CreatedAt}},
			scanBody{&st}.targets()...)...); err != nil {
			return rev, false, err
		}
		st.number = r.Number
		if r.Content, err = b.next(personaID, st); err != nil {
			return rev, false, err
		}
		rev, found = r, r.Number == number
	}
	if err := rows.Err(); err != nil {
		return rev, false, err
	}
	return rev, found, nil
}
