import { expect, test } from "./fixtures/test";
import { confirmEmail, DEFAULT_PASSWORD, logIn, signUp, uniqueEmail } from "./fixtures/accounts";
import { setDnsRecords } from "./fixtures/harness";

test("a draft saved in one browser is resumed in another, where it was left", async ({ page, browser }) => {
  const email = uniqueEmail("resume");
  const subdomain = `resume-${Math.random().toString(36).slice(2, 8)}`;
  await signUp(page, email);
  await page.goto("/instances/new");
  await page.getByLabel("Instance name").fill("Resumable Academy");
  await page.getByLabel("Short description").fill("Evening classes.");
  await page.getByLabel("Privacy policy URL").fill("https://resumable.example/privacy");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByLabel("Subdomain").fill(subdomain);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByRole("heading", { name: "Branding" })).toBeVisible();

  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await logIn(other, { email, password: DEFAULT_PASSWORD });
  await expect(other.getByTestId("signed-in-as")).toHaveText(email);
  await other.getByRole("link", { name: "Resumable Academy — continue registration" }).click();
  await expect(other.getByRole("navigation", { name: "Registration steps" }).getByText("3. Branding")).toHaveAttribute("aria-current", "step");
  await other.getByRole("link", { name: "Back" }).click();
  await expect(other.getByLabel("Subdomain")).toHaveValue(subdomain);
  await other.getByRole("link", { name: "1. Instance" }).click();
  await expect(other.getByLabel("Short description")).toHaveValue("Evening classes.");
  await elsewhere.close();
});

test("a custom domain turns verified live once its DNS records are right", async ({ page }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const email = uniqueEmail("domain");
  const subdomain = `dom-${suffix}`;
  const domain = `écolé-${suffix}.example`;
  await signUp(page, email);
  await confirmEmail(page, email);
  await page.goto("/instances/new");
  await page.getByLabel("Instance name").fill("Domain Academy");
  await page.getByLabel("Privacy policy URL").fill("https://domain.example/privacy");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByLabel("Subdomain").fill(subdomain);
  await page.getByLabel("Custom domain (optional)").fill(`school.${subdomain}.localhost`);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByText("Names under localhost are provided by Lyceum")).toBeVisible();
  await page.getByLabel("Custom domain (optional)").fill(domain);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByRole("heading", { name: "Branding" })).toBeVisible();
  await page.getByRole("link", { name: "2. Domain" }).click();

  // Shown in Unicode, with the records to create; the first check finds none of them.
  await expect(page.getByLabel("Custom domain (optional)")).toHaveValue(domain);
  const records = page.getByTestId("dns-records");
  await expect(records).toContainText(`studio.${domain}`);
  await expect(records).toContainText(`studio-${subdomain}.localhost`);
  const status = page.getByTestId("domain-status");
  await expect(status).toHaveText(new RegExp(`^pending: no CNAME record at ${domain}`));
  const token = (await records.getByRole("row").filter({ hasText: "TXT" }).getByRole("cell").nth(2).textContent())!.trim();

  const ascii = new URL(`http://${domain}/`).hostname;
  setDnsRecords({
    [ascii]: { CNAME: `${subdomain}.localhost` },
    [`studio.${ascii}`]: { CNAME: `studio-${subdomain}.localhost` },
    [`preview.${ascii}`]: { CNAME: `preview-${subdomain}.localhost` },
    [`apps.${ascii}`]: { CNAME: `apps-${subdomain}.localhost` },
    [`_lyceum-challenge.${ascii}`]: { TXT: [token] },
  });
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(status).toHaveText("verified");
  expect(navigations).toBe(0);
});
