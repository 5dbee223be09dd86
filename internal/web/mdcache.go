package web

import (
	"container/list"
	"crypto/sha256"
	"html/template"
	"sync"
	"sync/atomic"

	"github.com/personapal/personapal/internal/markdown"
)

// Rendered Markdown is reused. A page shows the same Markdown on every
// view — a persona's Markdown fields, the notes under it, an evidence
// summary — so the HTML of each source is kept in a bounded in-memory
// cache keyed by a hash of (renderer version, source). An edit changes the
// source and so the key: the edited text is rendered afresh, and the old
// entry ages out.
//
// Why in memory and not a rendered column stored with each note: it covers
// every Markdown a page renders (fields, evidence, Launchpad notes), not
// just notes; it needs no migration and no change to the write paths; a new
// renderer (markdown.Version) can never serve stale HTML; and nothing has
// to hold across instances — each instance renders a note once and then
// serves it from memory. The cost is one render per instance per text,
// which the renderer's limits keep to milliseconds.

// mdCacheBytes bounds the HTML the cache holds (entries are charged their
// HTML plus a fixed overhead).
const mdCacheBytes = 32 << 20

const mdEntryOverhead = 160

// renderedMarkdown is the process's cache: like the renderer it serves, it
// holds no configuration, only bounded memory.
var renderedMarkdown = newMDCache(mdCacheBytes)

type mdCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *mdEntry, most recently used first
	byKey map[[sha256.Size]byte]*list.Element
	// renders counts the sources rendered (cache misses).
	renders atomic.Int64
}

type mdEntry struct {
	key  [sha256.Size]byte
	html string
}

func newMDCache(maxBytes int) *mdCache {
	return &mdCache{max: maxBytes, order: list.New(), byKey: map[[sha256.Size]byte]*list.Element{}}
}

func mdKey(src string) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(markdown.Version))
	h.Write([]byte{0})
	h.Write([]byte(src))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// render returns the HTML of src, rendering it only when the cache does
// not hold it.
func (c *mdCache) render(src string) template.HTML {
	key := mdKey(src)
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		out := e.Value.(*mdEntry).html
		c.mu.Unlock()
		return template.HTML(out)
	}
	c.mu.Unlock()

	out := markdown.Render(src)
	c.renders.Add(1)

	cost := len(out) + mdEntryOverhead
	if cost > c.max/8 {
		return template.HTML(out) // too large to be worth a slot
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; !ok {
		c.byKey[key] = c.order.PushFront(&mdEntry{key: key, html: out})
		c.size += cost
		for c.size > c.max {
			last := c.order.Back()
			e := last.Value.(*mdEntry)
			c.order.Remove(last)
			delete(c.byKey, e.key)
			c.size -= len(e.html) + mdEntryOverhead
		}
	}
	return template.HTML(out)
}
