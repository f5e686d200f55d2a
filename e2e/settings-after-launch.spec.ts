import { expect, test } from "./fixtures/test";
import { confirmEmail, signUp, uniqueEmail } from "./fixtures/accounts";
import { registerAndPay } from "./fixtures/registration";

test("a running instance's theme is edited as a draft, compared with what runs, and applied live", async ({ page, context }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const email = uniqueEmail("settings");
  await signUp(page, email);
  await confirmEmail(page, email);
  await registerAndPay(page, { name: `Settings ${suffix}`, subdomain: `set-${suffix}`, headerBackground: "#7c2d12" });
  const siteUrl = (await page.getByTestId("instance-link").getAttribute("href"))!;

  await page.getByRole("link", { name: "Branding, pages and email settings" }).click();
  await expect(page.getByTestId("no-differences")).toBeVisible();
  await page.getByLabel("Header background", { exact: true }).fill("#14532d");
  await page.getByRole("button", { name: "Save draft" }).first().click();
  const differences = page.getByTestId("settings-differences");
  await expect(differences.getByRole("row", { name: /Header background/ })).toContainText("#7c2d12");
  await expect(differences.getByRole("row", { name: /Header background/ })).toContainText("#14532d");

  // A draft changes nothing on the site.
  const site = await context.newPage();
  await site.goto(siteUrl);
  await expect(site.locator("header.site-header")).toHaveCSS("background-color", "rgb(124, 45, 18)");

  await page.getByRole("button", { name: "Apply changes" }).click();
  await expect(page.getByTestId("event-log")).toContainText("Your changes are live.", { timeout: 60_000 });
  await site.reload();
  await expect(site.locator("header.site-header")).toHaveCSS("background-color", "rgb(20, 83, 45)");
});
