package app

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// orgSlugFor derives a free organisation slug from a name. Organisation
// slugs stay ASCII (they are typed into URLs and commands): the name's
// Latin letters without their accents, Greek and Cyrillic transliterated
// (persona.ASCIISlug). A name with none of those (王芳, محمد) or a slug
// already taken gets a random suffix ("org-k3x9qa", "acme-bank-7f2c9d"), so
// two organisations never collide on a derived slug.
func (s *Service) orgSlugFor(ctx context.Context, name string) (string, error) {
	base := persona.ASCIISlug(name)
	if base != "" {
		if free, err := s.slugFree(ctx, base); err != nil || free {
			return base, err
		}
	} else {
		base = "org"
	}
	base = strings.TrimRight(base[:min(len(base), 56)], "-")
	for range 5 {
		candidate := base + "-" + randomSlugSuffix()
		if free, err := s.slugFree(ctx, candidate); err != nil || free {
			return candidate, err
		}
	}
	return base + "-" + randomSlugSuffix(), nil // taken again: the insert says so
}

// slugFree reports whether no organisation has or had slug (an old slug
// stays its organisation's: it redirects there, orglife.go).
func (s *Service) slugFree(ctx context.Context, slug string) (bool, error) {
	taken, err := s.store.SlugTaken(ctx, slug)
	return !taken && err == nil, err
}

// randomSlugSuffix is six random lower-case letters and digits.
func randomSlugSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
