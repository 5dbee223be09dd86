package e2e_test

import (
	"fmt"

	"github.com/chromedp/chromedp"
)

// A task is one everyday job tried as a user with the keyboard alone, held
// to an action budget. An action is what a user spends effort on: pressing
// a link or a button (Enter or Space on the focused element), a key press
// that submits, or choosing from a list. Typing text, reading and the
// test's own checks are free.
type task struct {
	b       *browser
	name    string
	budget  int
	actions []string
}

// newTask starts a task in b; its budget is checked when the test ends.
func newTask(b *browser, name string, budget int) *task {
	tk := &task{b: b, name: name, budget: budget}
	b.t.Cleanup(func() {
		if b.t.Failed() {
			return
		}
		b.t.Logf("task %q: %d of %d actions: %q", tk.name, len(tk.actions), tk.budget, tk.actions)
		if len(tk.actions) > tk.budget {
			b.t.Errorf("task %q took %d actions, over its budget of %d: %q", tk.name, len(tk.actions), tk.budget, tk.actions)
		}
	})
	return tk
}

// count records an action and runs its step.
func (tk *task) count(what string, actions ...action) {
	tk.b.t.Helper()
	tk.actions = append(tk.actions, what)
	tk.b.step(fmt.Sprintf("%s (action %d of %d)", what, len(tk.actions), tk.budget), actions...)
}

// free runs a step that costs the user nothing (typing, reading, checks).
func (tk *task) free(what string, actions ...action) {
	tk.b.t.Helper()
	tk.b.step(what, actions...)
}

// press focuses the element sel matches, as Tab would reach it, and presses
// Enter on it (Space for a checkbox, a radio or a summary): one action. It
// fails when the element cannot take the keyboard's focus.
func (tk *task) press(what, sel string) {
	tk.b.t.Helper()
	tk.count(what, focusable(sel), chromedp.KeyEvent(keyFor(tk.b, sel)))
}

// pressAndLoad is press for a link or a submit button that loads a page.
func (tk *task) pressAndLoad(what, sel string) {
	tk.b.t.Helper()
	tk.count(what, focusable(sel), waitLoad(chromedp.KeyEvent(keyFor(tk.b, sel))))
}

// pick chooses the option labelled label in the select sel: one action.
func (tk *task) pick(what, sel, label string) {
	tk.b.t.Helper()
	tk.count(what, focusable(sel), choose(sel, label))
}

// keyFor is the key that activates the element: Space for toggles, Enter
// for links, buttons and the rest.
func keyFor(b *browser, sel string) string {
	kind := run(b, "the kind of "+sel, chromedp.Evaluate[string](call(`(sel) => {
		const el = document.querySelector(sel);
		if (!el) return "";
		if (el.matches("input[type=checkbox], input[type=radio], summary")) return "toggle";
		return "other";
	}`, sel)))
	if kind == "toggle" {
		return " "
	}
	return "\r"
}

// focusable waits until sel is visible, in the tab order and not disabled,
// then gives it the focus as the Tab key would.
func focusable(sel string) action {
	return until("a keyboard-reachable "+sel, `(sel) => {
		const el = document.querySelector(sel);
		if (!el) return "no element matches " + sel;
		if (el.disabled) return sel + " is disabled";
		if (el.tabIndex < 0) return sel + " is not in the tab order (tabIndex " + el.tabIndex + ")";
		el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return sel + " is not visible";
		el.focus();
		return document.activeElement === el ? "" : sel + " did not take the focus";
	}`, sel)
}
