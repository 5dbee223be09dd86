// Uses the types openapi-typescript generates from Persona Pal's OpenAPI
// document (schema.d.ts, written beside it by the test in
// internal/clienttest, unmodified) with openapi-fetch against a running
// server: it lists the personas, creates one, and gets a typed 422 for an
// invalid one. Compiled by tsc --strict, then run by node.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

// Node's own: the program needs no more of it than this.
declare const process: { argv: string[]; exit(code: number): never };

function fail(msg: string): never {
  console.error(msg);
  process.exit(1);
}

const [server, org, token] = process.argv.slice(2);
if (!server || !org || !token) fail("usage: main.js <server URL> <organisation> <token>");

const client = createClient<paths>({ baseUrl: server, headers: { Authorization: `Bearer ${token}` } });

const list = await client.GET("/api/v1/orgs/{org}/personas", { params: { path: { org } } });
if (!list.data) fail(`list personas: ${list.response.status} ${JSON.stringify(list.error)}`);
const first = list.data.items[0];
if (!first) fail("list personas: none");
console.log(`listed ${list.data.items.length} personas, the first "${first.name}"`);

const created = await client.POST("/api/v1/orgs/{org}/personas", {
  params: { path: { org } },
  body: { name: "Created by the TypeScript client", template_id: first.template_id, group_id: first.group_id, values: first.values },
});
if (!created.data || created.response.status !== 201) fail(`create persona: ${created.response.status} ${JSON.stringify(created.error)}`);
console.log(`created "${created.data.name}" (${created.data.id}), revision ${created.data.revision}`);

const bad = await client.POST("/api/v1/orgs/{org}/personas", {
  params: { path: { org } },
  body: { name: "", template_id: first.template_id, group_id: first.group_id, values: first.values },
});
if (bad.response.status !== 422 || !bad.error) fail(`create an invalid persona: want 422, got ${bad.response.status}`);
// The error is typed as the document's Problem, not as unknown or never.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typedAsProblem: Same<NonNullable<typeof bad.error>, Problem> = true;
const problem: Problem = bad.error;
if (!typedAsProblem) fail("unreachable");
const detail = problem.errors?.[0];
if (problem.status !== 422 || !detail) fail(`the 422 names no field: ${JSON.stringify(problem)}`);
console.log(`refused with ${problem.status} ${problem.title}: ${detail.location} ${detail.message}`);
