// 7. Concurrency: 100 simultaneous sign-ups through the sign-up form, and 50 simultaneous claims of one
// subdomain through the API. Exactly one claim wins; no request answers 5xx.
import type { Scenario } from "../lib/context";
import { benchDraft, benchUser, BENCH_PASSWORD, suffix } from "../lib/fixtures";
import { signIn } from "../lib/session";

/** The sign-up form as a browser without JavaScript submits it (Next renders the action's hidden fields). */
async function signUpForm(baseUrl: string) {
  const html = await (await fetch(`${baseUrl}/signup`)).text();
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? "";
  const hidden: [string, string][] = [];
  for (const match of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1] ?? "";
    if (name) hidden.push([name, value.replaceAll("&quot;", '"').replaceAll("&amp;", "&")]);
  }
  if (!hidden.some(([name]) => name.startsWith("$ACTION"))) throw new Error("the sign-up form carries no server action fields");
  return hidden;
}

export const concurrency: Scenario = {
  name: "7. concurrency",
  async run(ctx) {
    const signUps = ctx.isSmoke ? 20 : 100;
    const claims = ctx.isSmoke ? 10 : 50;
    const signUpErrors: number[] = [];
    const signUpOk: number[] = [];
    const claimWinners: number[] = [];
    const claimErrors: number[] = [];
    const hidden = await signUpForm(ctx.baseUrl);
    for (let run = 0; run < ctx.runs; run++) {
      const results = await Promise.all(
        Array.from({ length: signUps }, async (_, i) => {
          const body = new FormData();
          for (const [name, value] of hidden) body.append(name, value);
          body.append("email", `crowd-${suffix()}@example.org`);
          body.append("password", BENCH_PASSWORD);
          // A crowd of browsers, not one: each from its own address (198.18.0.0/15 is set aside for
          // benchmarks), so the per-address sign-up limit does not apply to the crowd as a whole.
          const headers = { "x-forwarded-for": `198.18.${run}.${i % 250}` };
          const response = await fetch(`${ctx.baseUrl}/signup`, { method: "POST", body, headers, redirect: "manual" });
          return { status: response.status, isAccepted: (await response.text()).includes("Check your inbox") };
        }),
      );
      signUpErrors.push(results.filter((result) => result.status >= 500).length);
      // An accepted sign-up re-renders the form as "check your inbox" (it never signs in).
      signUpOk.push(results.filter((result) => result.status === 200 && result.isAccepted).length);

      const subdomain = `contested-${suffix()}`;
      const claimants = await Promise.all(Array.from({ length: claims }, () => benchUser()));
      const jars = await Promise.all(claimants.map((user) => signIn(ctx.baseUrl, user.email, BENCH_PASSWORD)));
      const drafts = await Promise.all(claimants.map((user) => benchDraft(user.id)));
      const statuses = await Promise.all(
        jars.map(async (jar, i) => {
          // The wizard's Domain step: where a subdomain is claimed.
          const response = await fetch(`${ctx.baseUrl}/api/trpc/registration.saveDomain?batch=1`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie: jar.header() },
            body: JSON.stringify({ 0: { json: { id: drafts[i]!.id, values: { subdomain } } } }),
          });
          return response.status;
        }),
      );
      claimWinners.push(statuses.filter((status) => status === 200).length);
      claimErrors.push(statuses.filter((status) => status >= 500).length);
      ctx.log(
        `run ${run + 1}: sign-ups ${signUpOk.at(-1)}/${signUps} ok, ${signUpErrors.at(-1)} 5xx; claims: ${claimWinners.at(-1)} won, ${statuses.filter((s) => s === 409).length} told "taken", ${claimErrors.at(-1)} 5xx`,
      );
    }
    const max = (values: number[]) => Math.max(...values);
    return [
      { scenario: this.name, figure: `${signUps} simultaneous sign-ups: accounts created`, unit: "", runs: signUpOk, goal: `${signUps}`, pass: Math.min(...signUpOk) === signUps },
      { scenario: this.name, figure: `${signUps} simultaneous sign-ups: 5xx answers`, unit: "", runs: signUpErrors, goal: "0", pass: max(signUpErrors) === 0 },
      { scenario: this.name, figure: `${claims} simultaneous claims of one subdomain: winners`, unit: "", runs: claimWinners, goal: "exactly 1", pass: claimWinners.every((n) => n === 1) },
      { scenario: this.name, figure: `${claims} simultaneous claims: 5xx answers`, unit: "", runs: claimErrors, goal: "0", pass: max(claimErrors) === 0 },
    ];
  },
};
