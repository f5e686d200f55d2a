import { expect, test, type Page } from "./fixtures/test";
import { confirmEmail, signUp } from "./fixtures/accounts";
import { completeWizard } from "./fixtures/registration";
import { staffPage } from "./fixtures/staff";

async function signUpAndPay(page: Page, name: string, subdomain: string) {
  await signUp(page, `${subdomain}@example.org`);
  await confirmEmail(page, `${subdomain}@example.org`);
  await completeWizard(page, { name, subdomain });
  // Backing out of checkout first: nothing is charged, and checkout can be resumed.
  await page.getByRole("link", { name: "Cancel and go back" }).click();
  await expect(page.getByRole("heading", { name: "Checkout cancelled" })).toBeVisible();
  await page.getByRole("button", { name: "Return to checkout" }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
}

// The billing lifecycle by hand, on the offline driver: staff make the card decline and move the billing
// clock; the owner sees the warning, the site goes into maintenance, and paying brings it back.
test("a failed payment suspends the site after the grace period, and paying brings it back", async ({ browser }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const name = `Billing Academy ${suffix}`;
  const owner = await (await browser.newContext()).newPage();
  await signUpAndPay(owner, name, `bill-${suffix}`);
  await expect(owner.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  const siteUrl = (await owner.getByTestId("instance-link").getAttribute("href"))!;
  const instancePage = owner.url();
  // Where Stripe Checkout returns the browser after paying.
  await owner.goto(`${instancePage.replace("/instances/", "/checkout/")}/success`);
  await expect(owner.getByRole("heading", { name: "Thank you!" })).toBeVisible();
  await owner.getByRole("link", { name: `Watch ${name} come up` }).click();
  await expect(owner.getByTestId("instance-status")).toHaveText("Running");

  const staff = await staffPage(browser, "/staff/billing");
  await expect(staff.getByRole("heading", { name: "Fleet billing" })).toBeVisible();
  await staff.getByRole("link", { name }).click();
  await expect(staff.getByRole("heading", { name })).toBeVisible();
  await staff.getByLabel("Reason for the billing change").fill("End-to-end test: a renewal that fails");
  await staff.getByRole("button", { name: "Make the next payment fail" }).click();
  await expect(staff.getByText("The card on file declines every payment.")).toBeVisible();
  await staff.getByRole("button", { name: /next renewal/ }).click();

  // The owner's page shows the warning by itself (no reload).
  await expect(owner.getByRole("alert").filter({ hasText: "Your last payment failed." })).toBeVisible();
  await expect(owner.getByTestId("instance-status")).toHaveText("Running");

  await staff.getByRole("button", { name: /past the grace period/ }).click();
  await expect(owner.getByTestId("instance-status")).toHaveText("Suspended", { timeout: 60_000 });
  await expect(owner.getByRole("alert").filter({ hasText: "suspended because an invoice is unpaid" })).toBeVisible();

  const site = await (await browser.newContext()).newPage();
  const maintenance = await site.goto(siteUrl);
  expect(maintenance?.status()).toBe(503);
  await expect(site.getByRole("heading", { level: 1 })).toHaveText(`${name} is temporarily unavailable`);

  // The owner replaces the card in the billing portal; the open invoice is paid and the site comes back.
  await owner.goto("/billing");
  await expect(owner.getByRole("cell", { name: "Unpaid" })).toBeVisible();
  await owner.getByRole("button", { name: "Manage billing" }).click();
  await expect(owner.getByRole("heading", { name: "Manage billing" })).toBeVisible();
  await owner.getByRole("button", { name: "Update card and pay" }).click();
  await expect(owner.getByRole("status")).toContainText("Card updated");
  await owner.goto(instancePage);
  await expect(owner.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  await expect(owner.getByRole("alert").filter({ hasText: /payment|suspended/ })).toHaveCount(0);

  const back = await site.goto(siteUrl);
  expect(back?.status()).toBe(200);
  await expect(site.getByRole("heading", { level: 1 })).toHaveText(name);

  // Staff see it in the fleet totals and the instance's billing events.
  await staff.goto("/staff/billing");
  await expect(staff.getByTestId("total-active")).not.toHaveText("0");
  await staff.getByRole("link", { name }).click();
  await expect(staff.getByRole("table", { name: "Stripe events" }).getByRole("cell", { name: "invoice.payment_failed" }).first()).toBeVisible();
});
