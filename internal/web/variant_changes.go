package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// A variant stores only the rows whose "Override" box is ticked. A user who
// changes a value and forgets the box (Team size for Big Bank: "0
// overrides") must not lose it. The form's script (static/app.js) ticks the
// box as soon as a value changes; the server does not rely on that:
//
//   - Each row of the form carries a mark of what it showed (s.<path>):
//     "o" or "b" (an override or the base) and a digest of the value as the
//     untouched controls submit it (canonical, so an untouched Markdown
//     field whose browser sends CRLF reads as unchanged).
//   - A row without a tick whose submitted value differs from the mark was
//     changed. If it showed the base, the changed value is an override, as
//     if the box were ticked. If it showed an override (the user unticked it
//     and also changed the value), what is meant is unclear: the form comes
//     back with the value kept, ticked, and a field error. A changed value
//     that empties a base value comes back the same way (a variant can
//     override a value, not remove it).
//   - A row that still shows what it showed follows the base, so unticking
//     an override drops it, and a base edited meanwhile is followed rather
//     than frozen at what the form once showed.
//
// A post without marks (an older form, a script) is compared with what the
// form would show now: the current override, or else the current base.

// rowMark is the s.<path> value of a row showing a value whose canonical
// submission is canon.
func rowMark(overridden bool, canon string) string {
	if overridden {
		return "o" + digest(canon)
	}
	return "b" + digest(canon)
}

func digest(canon string) string {
	sum := sha256.Sum256([]byte(canon))
	return hex.EncodeToString(sum[:12])
}

// canonText writes a value read from a form for comparison: the canonical
// JSON of a valid value, the raw value marked as invalid otherwise.
func canonText(v any, valid bool) string {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf("%#v", v))
	}
	if !valid {
		return "!" + string(b)
	}
	return string(b)
}

// lf turns the CRLF line breaks browsers send into LF.
func lf(v any) any {
	if s, ok := v.(string); ok {
		return strings.ReplaceAll(s, "\r\n", "\n")
	}
	return v
}

// submittedField is the canonical text of the value field fd has in form.
func submittedField(fd persona.Field, form url.Values) string {
	v, ok := readFieldValue(form, fd)
	if !ok {
		v = nil
	}
	return canonText(persona.CanonicalValue(fd, lf(v)))
}

// shownField is the canonical text an untouched field showing v submits.
func shownField(fd persona.Field, v any) string {
	return submittedField(fd, untouchedField(formFieldOf(fd, v, "")))
}

// untouchedField is what a browser submits for the controls of the
// "field-input" partial showing ff when nobody touches them: single-line
// inputs lose line breaks, a select or a checkbox list sends only options
// it has, a number input drops what is not a number, and a scale that is
// not set sends its "Not set" box.
func untouchedField(ff formField) url.Values {
	f := url.Values{}
	fd, name := ff.Field, ff.Name
	switch fd.Kind {
	case persona.KindMarkdown:
		f.Set(name, ff.Text)
	case persona.KindList:
		f.Set(name, ff.Lines)
	case persona.KindMultiChoice:
		for _, o := range fd.Options {
			if slices.Contains(ff.Selected, o) {
				f.Add(name, o)
			}
		}
	case persona.KindNumber:
		if _, err := strconv.ParseFloat(ff.Text, 64); err == nil {
			f.Set(name, ff.Text)
		} else {
			f.Set(name, "")
		}
	case persona.KindScale:
		f.Set(name, ff.Text)
		if ff.Unset && !fd.Required {
			f.Set(name+".unset", "1")
		}
	case persona.KindChoice:
		if slices.Contains(fd.Options, ff.Text) {
			f.Set(name, ff.Text)
		} else {
			f.Set(name, "")
		}
	default:
		f.Set(name, strings.NewReplacer("\r", "", "\n", "").Replace(ff.Text))
	}
	return f
}

// readDimension reads a dimension's value from a form (nil when empty or
// "Not set").
func readDimension(form url.Values, d persona.Dimension) any {
	name := "d." + d.Key
	raw := strings.TrimSpace(form.Get(name))
	if raw == "" || form.Get(name+".unset") != "" {
		return nil
	}
	if d.Kind == persona.DimensionScale {
		return numberOrText(raw)
	}
	return raw
}

func submittedDimension(d persona.Dimension, form url.Values) string {
	return canonText(persona.CanonicalDimension(d, readDimension(form, d)))
}

// shownDimension is the canonical text the variant form's untouched
// control for d showing v submits.
func shownDimension(d persona.Dimension, v any) string {
	f := url.Values{}
	name, text := "d."+d.Key, valueText(v)
	switch {
	case d.Kind == persona.DimensionScale && !present(v):
		f.Set(name, strconv.Itoa(d.Min))
		f.Set(name+".unset", "1")
	case d.Kind == persona.DimensionScale:
		f.Set(name, text)
	case slices.Contains(d.Options, text):
		f.Set(name, text)
	default:
		f.Set(name, "")
	}
	return submittedDimension(d, f)
}

// Field errors for changed rows that are not simply overrides.
const (
	msgUntickedChange = "was changed after its Override box was unticked: the box is ticked again to keep your value; untick it and save to follow the base instead"
	msgEmptied        = "was emptied, but a variant cannot empty a value of the base: type a value to override it, or untick Override to follow the base"
)

// untickedRow decides an unticked row: submitted, base and prev (the
// current override, nil if none) are canonical texts as the form submits
// them. It returns whether the row is an override, and a field error when
// the change is unclear.
func untickedRow(form url.Values, path, submitted, base string, prev *string) (override bool, msg string) {
	var wasOverride, unchanged bool
	if mark := form.Get("s." + path); len(mark) > 1 && (mark[0] == 'o' || mark[0] == 'b') {
		wasOverride, unchanged = mark[0] == 'o', mark[1:] == digest(submitted)
	} else {
		wasOverride = prev != nil
		ref := base
		if wasOverride {
			ref = *prev
		}
		unchanged = submitted == ref
	}
	switch {
	case unchanged || submitted == base:
		return false, ""
	case wasOverride:
		return true, msgUntickedChange
	case submitted == canonText(nil, true):
		return true, msgEmptied
	}
	return true, ""
}

// rowPosted reports whether the form holds a row's controls at all (a
// partial post leaves rows out; they are not changes).
func rowPosted(form url.Values, path, name string) bool {
	return form.Has("s."+path) || form.Has(name) || form.Has(name+".unset")
}
