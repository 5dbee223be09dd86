package persona

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Names and search text are compared in folded form, the same way on
// SQLite and PostgreSQL: the store indexes FoldSearch'ed words and queries
// with FoldSearch'ed terms on both engines, so neither engine's own
// accent handling decides what matches.

// FoldSearch folds text for search: compatibility decomposition (NFKD:
// full-width forms, ligatures and superscripts become plain letters and
// digits), lower case, the diacritics of Latin, Greek, Hebrew and Arabic
// letters removed (é→e, ễ→e, ά→α, vowel points), the Latin letters that
// carry their stroke or ligature in the letter itself spelled out (ł→l,
// ø→o, đ→d, ß→ss, æ→ae, œ→oe, þ→th), final sigma as sigma, and the result
// recomposed (NFC). Letters of other scripts keep their marks: Cyrillic й
// stays й, Japanese が stays が, Devanagari vowel signs stay, because there
// the mark makes another letter. So "lodz" finds "Łódź", "nguyen" finds
// "Nguyễn", "αθηνα" finds "Αθήνα" and "ольга" finds "Ольга".
func FoldSearch(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	d := strings.ToLower(norm.NFKD.String(s))
	var b strings.Builder
	b.Grow(len(d))
	var base rune // the last letter that was not a mark
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if foldsMarks(base) {
				continue
			}
			b.WriteRune(r)
			continue
		}
		base = r
		if rep, ok := letterFold[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// foldsMarks reports whether the diacritics on r are dropped by FoldSearch.
func foldsMarks(r rune) bool {
	return r != 0 && (unicode.Is(unicode.Latin, r) || unicode.Is(unicode.Greek, r) ||
		unicode.Is(unicode.Hebrew, r) || unicode.Is(unicode.Arabic, r))
}

// letterFold spells the letters that do not decompose into a base letter
// and a mark.
var letterFold = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ŀ': "l", 'ŧ': "t", 'ƀ': "b", 'ƶ': "z",
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ĳ': "ij",
	'ς': "σ",
}

// NameKey is the form in which two names are the same name: compatibility
// normalised (NFKC), case folded (full Unicode folding: "STRASSE" and
// "straße" agree), white space collapsed to single spaces and trimmed.
// Unlike a slug it loses no letters: 王芳 and 李娜 differ, and so do
// "Ольга Смирнова" and "Мария Иванова"; "Anna  Nowak" and "ANNA NOWAK" are
// the same name.
func NameKey(name string) string {
	s := cases.Fold().String(norm.NFKC.String(name))
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}
