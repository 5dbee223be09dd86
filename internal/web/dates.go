package web

import (
	"html/template"
	"time"
)

// dayLayout is the one way the app writes a calendar day ("20 Jun 2026"):
// creation dates, due dates, date fields, review and collection dates.
// Times of day add ", 15:04 UTC" (the "datetime" template func).
const dayLayout = "2 Jan 2006"

// dayText writes a stored calendar day (ISO "2026-06-20") as the app shows
// days; a value that is not a day is shown as it was typed.
func dayText(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return d.Format(dayLayout)
}

// dayHTML (the template func "day") is a day as a <time> element whose
// machine-readable datetime is the ISO day. It takes an ISO day string or
// a time.Time; anything else is shown as text.
func dayHTML(v any) template.HTML {
	var iso string
	switch x := v.(type) {
	case time.Time:
		iso = x.UTC().Format(time.DateOnly)
	case *time.Time:
		if x == nil {
			return ""
		}
		iso = x.UTC().Format(time.DateOnly)
	case string:
		iso = x
	default:
		return template.HTML(escapeHTML(valueText(v)))
	}
	if _, err := time.Parse(time.DateOnly, iso); err != nil {
		return template.HTML(escapeHTML(iso))
	}
	return template.HTML(`<time datetime="` + iso + `">` + dayText(iso) + `</time>`)
}
