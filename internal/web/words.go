package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// inlineMarkdown renders a short piece of user Markdown (a claim, a list
// item) for use inside a sentence: the sanitising renderer's HTML without
// the paragraph around it when it is a single paragraph.
func inlineMarkdown(s string) template.HTML {
	out := strings.TrimSpace(string(renderMarkdown(s)))
	if inner, ok := strings.CutPrefix(out, "<p>"); ok {
		if inner, ok := strings.CutSuffix(inner, "</p>"); ok && !strings.Contains(inner, "<p>") {
			return template.HTML(inner)
		}
	}
	return template.HTML(out)
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// markdownText is user Markdown as plain text, for places that cannot hold
// markup (an <option>, a title): the rendered HTML without its tags. The
// result is text, so html/template escapes it again.
func markdownText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(renderMarkdown(s)), " "))), " ")
}

func init() {
	funcs["inlineMarkdown"] = inlineMarkdown
	funcs["markdownText"] = markdownText
}
