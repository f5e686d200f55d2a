import { expect, test } from "@playwright/test";

// The whole path a school takes: sign up, claim a subdomain, pay offline, watch it come up, open it.
test("sign up, register, pay and watch the instance come up live, then open it", async ({ page, context }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const email = `school-${suffix}@example.org`;
  const subdomain = `e2e-${suffix}`;

  await page.goto("/signup");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);

  await page.goto("/instances/new");
  await page.getByLabel("Instance name").fill(`Academy ${suffix}`);
  await page.getByLabel("Subdomain").fill("admin");
  await expect(page.getByText('"admin" is reserved')).toBeVisible();
  await page.getByLabel("Subdomain").fill(subdomain);
  await expect(page.getByText(`${subdomain}.localhost is available`)).toBeVisible();
  await page.getByRole("button", { name: "Continue to payment" }).click();

  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await page.getByRole("button", { name: /^Pay / }).click();

  // From here on nothing reloads the page: the status must change by itself over SSE.
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  expect(navigations).toBe(0);
  await expect(page.getByRole("progressbar", { name: "Provisioning progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.locator('[data-step="boot_server"]')).toHaveAttribute("data-state", "done");

  const link = page.getByTestId("instance-link");
  await expect(link).toHaveAttribute("href", new RegExp(`^http://${subdomain}\\.localhost:\\d+/$`));
  const [site] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await expect(site.getByRole("heading", { level: 1 })).toHaveText(`Academy ${suffix}`);
});
