package persona

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// SlugPattern is ValidSlug as a regular expression (for JSON Schemas).
const SlugPattern = `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`

var slugPattern = regexp.MustCompile(SlugPattern)

// ValidSlug reports whether s is a valid organisation slug: 1–63 lower-case
// ASCII letters, digits and hyphens, not starting or ending with a hyphen.
// Organisation slugs stay ASCII: they are typed into URLs (/o/<slug>), API
// paths and command lines. See ASCIISlug for how one is derived from a
// name in any script.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// Limits of a slug: characters, and bytes (a file name is at most 255).
const (
	maxSlugRunes = 63
	maxSlugBytes = 200
)

// Slugify derives a readable slug from a name, keeping the letters of
// every script: the name's words (letters, digits and their marks) as
// FoldSearch folds them — lower case, compatibility-normalised, Latin
// diacritics spelled without their marks (ễ→e, ł→l, ß→ss, æ→ae, ø→o,
// đ→d) — joined with hyphens, at most 63 characters. "Nguyễn Thị Minh"
// gives "nguyen-thi-minh", "王芳" gives "王芳", "Ольга Смирнова" gives
// "ольга-смирнова". A name without letters or digits gives "". Slugs name
// files (persona-as-code); two names are the same name only when their
// NameKey agrees, never because their slugs do.
func Slugify(name string) string {
	words := SearchWords(name)
	var b strings.Builder
	runes := 0
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		sep := 0
		if b.Len() > 0 {
			sep = 1
		}
		if runes+sep+n > maxSlugRunes || b.Len()+sep+len(w) > maxSlugBytes {
			if b.Len() == 0 { // one very long word: cut it
				for _, r := range w {
					if runes+1 > maxSlugRunes || b.Len()+utf8.RuneLen(r) > maxSlugBytes {
						break
					}
					b.WriteRune(r)
					runes++
				}
			}
			break
		}
		if sep == 1 {
			b.WriteByte('-')
		}
		b.WriteString(w)
		runes += sep + n
	}
	return b.String()
}

// ASCIISlug derives an ASCII slug from a name, for organisation slugs (see
// ValidSlug), field keys and download file names: Slugify's slug with
// Greek and Cyrillic transliterated (ELOT 743 and BGN/PCGN, simplified:
// "Αθήνα" → "athina", "Ольга Смирнова" → "olga-smirnova") and the letters
// of scripts without a faithful Latin spelling (Chinese, Japanese, Korean,
// Arabic, Hebrew, …) left out. It is "" when nothing is left; a caller then
// needs another name — an organisation gets a unique random one, never a
// shared fallback that two organisations would collide on.
func ASCIISlug(name string) string {
	s := Slugify(name)
	var b strings.Builder
	hyphen := false
	emit := func(t string) {
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(t)
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			emit(string(r))
		case r == 'ο' && i+1 < len(rs) && rs[i+1] == 'υ':
			emit("ou")
			i++
		case translit[r] != "":
			emit(translit[r])
		case translit[r] == "" && isSilent(r):
			// hard and soft signs: no letter of their own
		default:
			hyphen = true
		}
	}
	out := b.String()
	if len(out) > maxSlugRunes {
		out = out[:maxSlugRunes]
	}
	return strings.Trim(out, "-")
}

func isSilent(r rune) bool { return r == 'ъ' || r == 'ь' }

// translit spells Greek and Cyrillic letters (already folded: lower case,
// Greek without accents) in ASCII.
var translit = map[rune]string{
	// Greek
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'τ': "t", 'υ': "y",
	'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
	// Cyrillic: Russian
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ы': "y", 'э': "e",
	'ю': "yu", 'я': "ya",
	// Ukrainian, Belarusian, Serbian, Macedonian
	'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj",
	'ћ': "c", 'џ': "dz", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz",
}
