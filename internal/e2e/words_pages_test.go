package e2e_test

import "testing"

// Issue 16, point 7: the audit log names objects instead of quoting IDs,
// and the catalogue states its rules as sentences; both read well at 390
// and 1440 px, light and dark.
func TestAuditAndCatalogueReadAsWords(t *testing.T) {
	b := signIn(t, orgPath("/audit"))
	b.step("the audit log names the persona an evidence link supports",
		see("#audit-log", "supports System Lead"),
		js(`() => {
			const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
			const cell = [...document.querySelectorAll("#audit-log td.audit-summary")].find(td => id.test(td.innerText));
			return cell ? "a detail still quotes an ID: " + cell.innerText : "";
		}`),
		present(`#audit-log td.audit-summary a.audit-name[href*="/personas/"]`, 5))
	b.looks("audit", "#audit-log")

	b.step("open the catalogue", open(orgPath("/catalogue")))
	b.step("its rules are sentences with labels",
		see("#modules-approval-workflows .lp-rules", "When the customer’s risk tolerance is at most 2"),
		see("#modules-erp-connector .lp-rules", "When the customer’s core systems include SAP, Oracle or Microsoft Dynamics"),
		js(`() => {
			const raw = [...document.querySelectorAll(".lp-rules li")].find(li => /(values|dimensions)\.[a-z_]+/.test(li.innerText));
			return raw ? "a rule still reads a key: " + raw.innerText : "";
		}`))
	b.looks("catalogue", "#modules")
}
