package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The newest revision of the personas this process wrote lately, kept so
// that the next update of one diffs its content against it instead of
// rebuilding the revision before it from the stored chain (a snapshot
// inflated and decoded, and up to 15 deltas decoded: most of what compact
// history added to an update).
//
// Why it cannot go wrong:
//   - An entry is put only after the transaction that wrote the revision
//     committed (DB.afterCommit; a write rolled back, alone or in a group
//     commit's batch, leaves nothing), as a deep copy of the content, so no
//     caller's later change of its maps reaches it.
//   - Before an entry is used, the stored revision of that number is read
//     back (one primary-key row) and its time, author, message and storage
//     form must be the entry's: a revision purged and written again (by
//     this process or another one on the same database) is not the entry's
//     any more. Purges in this process drop their entries as well.
//   - An entry is only ever compared with (DiffContent), never changed.
//
// The cache is bounded by entries and by an estimate of their size; when it
// is full an arbitrary entry makes room (recently written personas are the
// ones updated next, and a miss costs only the chain read).
const (
	revCacheEntries = 4096
	revCacheBytes   = 32 << 20
)

type revKey struct{ org, persona string }

type cachedRevision struct {
	number    int
	createdAt time.Time // as stored (ts)
	authorID  string
	message   string
	kind      string
	content   persona.Content
	baseSize  int // the baseSize previousContent would give for this revision
	size      int // estimated memory
}

type revisionCache struct {
	mu    sync.Mutex
	m     map[revKey]cachedRevision
	bytes int
	// used counts the updates that diffed against an entry (tests and
	// benchmarks read it).
	used atomic.Int64
}

func newRevisionCache() *revisionCache { return &revisionCache{m: map[revKey]cachedRevision{}} }

// get returns the entry of persona id when it is revision number.
func (c *revisionCache) get(orgID, id string, number int) (cachedRevision, bool) {
	if c == nil {
		return cachedRevision{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[revKey{orgID, id}]
	return r, ok && r.number == number
}

// put keeps r as persona id's newest revision, unless a newer one is
// already kept.
func (c *revisionCache) put(orgID, id string, r cachedRevision) {
	if c == nil || r.size > revCacheBytes/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := revKey{orgID, id}
	if old, ok := c.m[k]; ok {
		if old.number > r.number {
			return
		}
		c.bytes -= old.size
		delete(c.m, k)
	}
	for k2, old := range c.m {
		if len(c.m) < revCacheEntries && c.bytes+r.size <= revCacheBytes {
			break
		}
		c.bytes -= old.size
		delete(c.m, k2)
	}
	c.m[k] = r
	c.bytes += r.size
}

// forget drops persona id's entry.
func (c *revisionCache) forget(orgID, id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[revKey{orgID, id}]; ok {
		c.bytes -= old.size
		delete(c.m, revKey{orgID, id})
	}
}

// forgetOrg drops every entry of an organisation.
func (c *revisionCache) forgetOrg(orgID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, old := range c.m {
		if k.org == orgID {
			c.bytes -= old.size
			delete(c.m, k)
		}
	}
}

// revisionBefore is the content of revision number of a persona (the one an
// update's new revision follows) with the baseSize previousContent gives:
// from the cache when the stored revision is still the cached one, else
// rebuilt from the stored chain.
func (s *DB) revisionBefore(ctx context.Context, q querier, orgID, personaID string, number int) (persona.Content, int, bool, error) {
	if r, ok := s.revs.get(orgID, personaID, number); ok {
		var (
			at                    time.Time
			author, message, kind string
		)
		err := q.QueryRowContext(ctx, `SELECT created_at, author_id, message, content_kind FROM persona_revisions
			WHERE org_id = $1 AND persona_id = $2 AND number = $3`, orgID, personaID, number).Scan(timeCol{&at}, &author, &message, &kind)
		switch {
		case err == nil && at.Equal(r.createdAt) && author == r.authorID && message == r.message && kind == r.kind:
			s.revs.used.Add(1)
			return r.content, r.baseSize, true, nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return persona.Content{}, 0, false, err
		}
		s.revs.forget(orgID, personaID)
	}
	return previousContent(ctx, q, orgID, personaID, number)
}

// rememberRevision keeps rev, just written as revision p.Revision of p in
// the form e (baseSize as encodeRevision was given it for a delta), once
// the transaction commits.
func (s *DB) rememberRevision(p persona.Persona, rev persona.Revision, e encodedRevision, baseSize int) {
	if s.revs == nil || s.commit == nil {
		return
	}
	content, ok := cloneContent(rev.Content)
	if !ok {
		return
	}
	if e.kind == revisionFull {
		baseSize = e.rawLen
	}
	r := cachedRevision{number: p.Revision, createdAt: ts(rev.CreatedAt), authorID: rev.AuthorID, message: rev.Message, kind: e.kind,
		content: content, baseSize: baseSize, size: 3*baseSize + 512}
	revs, orgID, id := s.revs, p.OrgID, p.ID
	s.afterCommit(func() { revs.put(orgID, id, r) })
}

// cloneContent copies c deeply, in the shape a rebuilt revision has (values
// and dimensions never nil, retired values nil when empty); ok is false
// when a value is of a type it does not know how to copy.
func cloneContent(c persona.Content) (persona.Content, bool) {
	out := c
	var ok1, ok2, ok3 bool
	out.Values, ok1 = cloneValues(c.Values)
	out.Dimensions, ok2 = cloneValues(c.Dimensions)
	out.Retired, ok3 = cloneValues(c.Retired)
	return rebuiltShape(out), ok1 && ok2 && ok3
}

func cloneValues(v persona.Values) (persona.Values, bool) {
	if v == nil {
		return nil, true
	}
	out := make(persona.Values, len(v))
	for k, x := range v {
		c, ok := cloneValue(x)
		if !ok {
			return nil, false
		}
		out[k] = c
	}
	return out, true
}

func cloneValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, bool, float64, float32, int, int64, int32, json.Number:
		return x, true
	case []string:
		return slices.Clone(x), true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := cloneValue(e)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, ok := cloneValue(e)
			if !ok {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	}
	return nil, false
}
