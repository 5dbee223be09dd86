package e2e_test

import (
	"testing"
)

// Task: compare two personas, from the home page, with the keyboard alone,
// in at most 4 actions: Compare in the top bar, tick two personas in the
// picker, Compare. The comparison names both and draws them on the chart
// (a dumbbell for two).
func TestTaskCompareTwoPersonas(t *testing.T) {
	first, second := "System Lead", "Compliance Analyst"
	a, c := personaID(t, first), personaID(t, second)
	b := signIn(t, orgPath(""))
	tk := newTask(b, "compare two personas", 4)
	tk.free("start on the home page", atPath(`^`+orgPath("")+`$`), present(card(first), 1))

	tk.pressAndLoad("open Compare in the top bar", `header a[href="`+orgPath("/compare")+`"]`)
	tk.free("the picker lists every persona", present("#compare-picker", 1), present("#pick-"+a, 1), present("#pick-"+c, 1))
	tk.press("tick "+first, "#pick-"+a)
	tk.press("tick "+second, "#pick-"+c)
	tk.free("the picker counts two", see("#pick-count", "2 selected"))
	tk.pressAndLoad("compare them", "#compare-submit")

	tk.free("the comparison names both and charts them",
		atPath(`/compare\?ids=`+a+`,`+c+`$`),
		see("#compare-heading", "Comparing 2 personas"),
		see("#compare-table thead", first, second),
		present("#dimension-chart.dumbbell .dot-row", 7),
		present(`#dimension-chart svg.dot[data-persona="`+a+`"]`, 7),
		present(`#dimension-chart svg.dot[data-persona="`+c+`"]`, 7),
		see("#chart-legend", first, second))
	b.shotOf("dumbbell", ".compare-dimensions")
}
