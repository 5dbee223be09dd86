package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestFormMeasure(t *testing.T) {
	b := signIn(t, orgPath(""))
	b.step("open the Compliance Analyst's edit form", chromedp.EmulateViewport(1440, 900), follow(card("Compliance Analyst")), follow("#edit-persona"), present("#persona-form", 1))
	m := run(b, "measure", chromedp.Evaluate[string](`(() => { const f = document.querySelector("#persona-form"); const ctl = [...f.querySelectorAll("input:not([type=hidden]),select,textarea")]; const full = ctl.filter(c => c.getBoundingClientRect().width > f.getBoundingClientRect().width*0.9).length; return "doc " + document.documentElement.scrollHeight + " controls " + ctl.length + " full " + full; })()`))
	t.Log(m)
}
