import { expect, test } from "./fixtures/test";
import { confirmEmail, signUp } from "./fixtures/accounts";
import { completeWizard } from "./fixtures/registration";
import { staffPage } from "./fixtures/staff";

test("staff find an instance by search, open it and watch its event log live", async ({ page: client, browser }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const subdomain = `staff-${suffix}`;
  await signUp(client, `owner-${suffix}@example.org`);
  await confirmEmail(client, `owner-${suffix}@example.org`);
  await completeWizard(client, { name: `Watched Academy ${suffix}`, subdomain });

  const staff = await staffPage(browser);
  await expect(staff.getByTestId("count-awaiting_payment")).toBeVisible();
  await staff.getByRole("searchbox", { name: "Search" }).fill(suffix);
  await staff.getByRole("button", { name: "Apply" }).click();
  await expect(staff).toHaveURL(new RegExp(`/staff\\?search=${suffix}&`));
  const results = staff.getByRole("table", { name: "Instances" });
  await expect(results.getByRole("row")).toHaveCount(2); // the header and the one match
  await results.getByRole("link", { name: `Watched Academy ${suffix}` }).click();

  await expect(staff.getByRole("heading", { name: new RegExp(`Watched Academy ${suffix}`) })).toBeVisible();
  await expect(staff.getByRole("region", { name: "Owner" })).toContainText(`owner-${suffix}@example.org`);
  await expect(staff.getByRole("region", { name: "Hostnames" })).toContainText(`studio-${subdomain}.localhost`);
  await expect(staff.getByTestId("instance-status")).toHaveText("Awaiting payment");
  await expect(staff.getByTestId("live-connection")).toHaveText("live");
  const log = staff.getByRole("list", { name: "Event log" });
  await expect(log).toContainText("waiting for payment");

  // The owner pays in their own browser; the staff page follows without reloading (a reload would lose
  // this marker; the page's own soft refresh of its server-rendered parts keeps it).
  await staff.evaluate(() => Object.assign(window, { __stillTheSamePage: true }));
  await client.getByRole("button", { name: /^Pay / }).click();
  await expect(staff.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  await expect(log).toContainText("Your instance is running at");
  await expect(log).toContainText("Boot application server: started local server");
  expect(await staff.evaluate(() => (window as unknown as { __stillTheSamePage?: boolean }).__stillTheSamePage)).toBe(true);
  // The server-rendered sections caught up too: the operation and its deployment.
  await expect(staff.getByRole("table", { name: "Operations" })).toContainText("succeeded");
  await expect(staff.getByRole("table", { name: "Deployments" })).toContainText("(active)");
  await expect(staff.getByRole("table", { name: "Resource ledger" })).toContainText("compute.server");

  // The level filter hides what is below the chosen level.
  await staff.getByLabel("Level").selectOption("warn");
  await expect(log.getByRole("listitem")).toHaveCount(0);
  await staff.getByLabel("Level").selectOption("info");
  await expect(log).toContainText("Your instance is running at");

  await expect(staff.getByRole("region", { name: "Actions", exact: true })).toContainText("No operation is running");
  await expect(staff.getByRole("region", { name: "Staff actions on this instance" })).toContainText("No staff actions recorded for this instance yet.");

  await staff.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Audit log" }).click();
  await expect(staff.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(staff.getByRole("form", { name: "Filter the audit log" })).toBeVisible();
  await staff.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Queue" }).click();
  await expect(staff.getByRole("heading", { name: "Queue" })).toBeVisible();
  await expect(staff.getByTestId("live-workers")).toContainText("Live workers: 1");
  await staff.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Charts" }).click();
  await expect(staff.getByText("Instances by status, end of each day")).toBeVisible();
  await expect(staff.getByTestId("mrr-total")).toHaveText(/^\$\d/);
  await staff.context().close();
});

test("a client is refused every staff page", async ({ page }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  await signUp(page, `nosy-${suffix}@example.org`);
  await expect(page.getByRole("link", { name: "Staff" })).toHaveCount(0);
  for (const path of ["/staff", "/staff/queue", "/staff/audit", "/staff/charts", `/staff/instances/${crypto.randomUUID()}`]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "403 — Not allowed" })).toBeVisible();
  }
});
