package e2e_test

import "testing"

// Task 5 of issue 16: from the home page, generate a Launchpad for the Big
// Bank archetype and save it, with the keyboard alone, within 5 actions
// (it took 7, and listed "System Lead" twice as a role). The Launchpad then
// shows its modules with reasons that read as sentences, and no role twice.
func TestTaskLaunchpadForBigBank(t *testing.T) {
	b := signIn(t, orgPath(""))
	tk := newTask(b, "generate a Launchpad for Big Bank", 5)

	tk.pressAndLoad("open Launchpads from the menu", `header a[href="`+orgPath("/launchpads")+`"], nav a[href="`+orgPath("/launchpads")+`"]`)
	b.looks("launchpads", "#generate-for")
	tk.pressAndLoad("generate for Big Bank", `#generate-for a[data-archetype="Big Bank"]`)
	tk.free("the recommendation is there, for Big Bank's default roles",
		present("#recommendation", 1), present("#modules li.lp-item", 3), present("#save-form", 1))
	name := unique("Big Bank launchpad")
	tk.free("name it", typeInto("#launchpad-name", name))
	tk.pressAndLoad("save the Launchpad", "#save-launchpad")

	tk.free("the saved Launchpad", atPath(`/launchpads/[^/]+$`), see("#launchpad-title", name))
	tk.free("its modules give their reasons as sentences about Big Bank",
		see("#module-erp-connector", "Big Bank’s core systems include SAP, which this module supports"),
		see("#module-approval-workflows", "Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows"),
		js(`() => {
			const reasons = [...document.querySelectorAll("#modules .lp-reasons li")].map(li => li.innerText);
			if (reasons.length < 5) return "only " + reasons.length + " reasons";
			const raw = reasons.find(r => r.startsWith("because") || / one of /.test(r) || /[≤≥]/.test(r));
			return raw ? "a reason still reads like a rule: " + raw : "";
		}`))
	tk.free("no role is listed twice", js(`() => {
		const roles = [...document.querySelectorAll("#roles a")].map(a => a.innerText.replace(/ \(.* variant\)$/, "").trim());
		if (roles.length < 3) return "roles: " + roles.join(", ");
		const twice = roles.find((r, i) => roles.indexOf(r) !== i);
		return twice ? twice + " is listed twice: " + roles.join(", ") : "";
	}`), see("#roles", "System Lead (Big Bank variant)"))
	b.looks("launchpad", "#modules")
}
