import { expect, test } from "./fixtures/test";
import { logIn } from "./fixtures/accounts";
import { clientAtCheckout } from "./fixtures/registration";
import { E2E_STAFF, staffPage } from "./fixtures/staff";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

test("staff add a release; its owner upgrades to it, picks an upgrade window, and rolls back, live, with the restore's warning; staff start a fleet wave and stop it", async ({ browser, page }) => {
  // Staff put a newer release in the catalogue, with a migration the new deployment runs.
  const release = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  await logIn(page, E2E_STAFF, "/staff/releases");
  const add = page.getByRole("form", { name: "Add a release" });
  await add.getByLabel("Name").fill(release);
  await add.getByLabel("Tutor version (exact)").fill("18.0.0");
  await add.getByLabel("Plugins, one package==version a line").fill("tutor-mfe==18.1.0\ntutor-indigo==18.3.0");
  await add.getByLabel("Status").selectOption("supported");
  await add
    .getByLabel("Migrations (JSON)")
    .fill(JSON.stringify([{ id: `${release}-0001`, databaseSuffix: "edxapp", sql: "CREATE TABLE IF NOT EXISTS e2e_release_made (id INT PRIMARY KEY);" }]));
  await add.getByLabel("Reason").fill("A release to upgrade to in the e2e suite.");
  await add.getByRole("button", { name: "Add the release" }).click();
  await expect(add.getByRole("status")).toContainText(`Added ${release.charAt(0).toUpperCase()}${release.slice(1)} (Tutor 18.0.0) as supported`);
  await expect(page.getByRole("table", { name: "Releases" })).toContainText(release);
  await page.getByRole("button", { name: "Log out" }).click();
  // Logged out for good (the redirect has landed) before the client signs up in the same page.
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  const { subdomain, instanceId } = await clientAtCheckout(page, "upgrade");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(new RegExp(`/instances/${instanceId}$`));
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });

  const panel = page.getByRole("region", { name: "Open edX release" });
  await expect(panel).toContainText("Runs Quince (Tutor 17.0.6)");
  await panel.getByLabel("Upgrade to").selectOption({ label: `${release.charAt(0).toUpperCase()}${release.slice(1)} (Tutor 18.0.0)` });
  await panel.getByRole("button", { name: "Upgrade" }).click();
  // Live in the log: the backup, the new deployment's migrations, the health gate, the switch.
  await expect(page.getByText(/Upgraded to .* \(Tutor 18\.0\.0\)/).first()).toBeVisible({ timeout: 90_000 });
  await expect(panel).toContainText("Runs", { timeout: 15_000 });

  // The owner's upgrade window, three days from today in the browser's zone: the fleet wave below waits for it.
  await page.goto(`/instances/${instanceId}/settings`);
  const windowForm = page.getByRole("form", { name: "Upgrade window" });
  const day = await page.evaluate(() => (new Date().getDay() + 3) % 7);
  await windowForm.getByLabel(/^Day \(/).selectOption(String(day));
  await windowForm.getByLabel(/^From \(/).selectOption("3");
  await windowForm.getByLabel("For how many hours").fill("2");
  await windowForm.getByRole("button", { name: "Save the window" }).click();
  await expect(windowForm.getByRole("status")).toContainText(`Saved: ${DAYS[day]}s 03:00–05:00`);
  await page.reload();
  await expect(page.getByText(`Your window: ${DAYS[day]}s 03:00–05:00`)).toBeVisible();

  // Staff, beside the owner: the fleet chart counts the one instance on the new release; a wave to Redwood of the
  // instances on it takes this one, which waits for its window, and staff stop the rollout.
  const staff = await staffPage(browser, "/staff/releases");
  const label = `${release.charAt(0).toUpperCase()}${release.slice(1)} (Tutor 18.0.0)`;
  await expect(staff.getByRole("meter", { name: `${label}, supported: 1 instance (` })).toHaveAttribute("aria-valuenow", "1");
  await staff.locator("summary", { hasText: "Upgrade the fleet in waves" }).click();
  const rollout = staff.getByRole("form", { name: "Upgrade the fleet in waves" });
  await rollout.getByLabel("Upgrade to").selectOption({ label: "Redwood (Tutor 18.2.2)" });
  await rollout.getByRole("checkbox", { name: label }).check();
  await rollout.getByLabel("Each wave, % of the matching instances").fill("100");
  await rollout.getByLabel("When", { exact: true }).selectOption("in_window");
  await rollout.getByLabel("Reason").fill("Trying Redwood on the e2e release's instances.");
  await rollout.getByRole("button", { name: "Start the rollout" }).click();
  await expect(rollout.getByRole("status")).toContainText("to Redwood (Tutor 18.2.2): 1 instance(s), 1 per wave, each in its upgrade window");
  const waves = staff.getByRole("table", { name: "Waves of the rollout to Redwood (Tutor 18.2.2)" });
  // The sweep makes the first wave as soon as it runs: its one instance waits for its window.
  await expect(async () => {
    await staff.reload();
    await expect(waves.getByRole("row").nth(1).getByRole("cell")).toHaveText(["1", "running", "1", "0", "0", "0", "0", "0"], { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await staff.getByLabel("Reason for stopping").fill("Seen it wait for the window.");
  await staff.getByRole("button", { name: "Stop the rollout" }).click();
  await expect(staff.getByRole("heading", { name: "To Redwood (Tutor 18.2.2): stopped" })).toBeVisible();
  await expect(staff.getByText("Stopped by staff: Seen it wait for the window.")).toBeVisible();
  await expect(waves.getByRole("row").nth(1).getByRole("cell").last()).toHaveText("1");
  await staff.context().close();

  await page.goto(`/instances/${instanceId}`);
  const rollback = panel.getByRole("button", { name: "Roll back to Quince (Tutor 17.0.6)" });
  await expect(rollback).toBeVisible({ timeout: 15_000 });
  await expect(panel).toContainText("everything written since");
  await expect(rollback).toBeDisabled();
  await panel.getByLabel(`Type ${subdomain} to confirm`).fill(subdomain);
  await rollback.click();
  await expect(page.getByText("Rolled back: the pre-upgrade backup is restored and the previous release serves again.").first()).toBeVisible({ timeout: 90_000 });
  await expect(panel).toContainText("Runs Quince (Tutor 17.0.6)", { timeout: 15_000 });
  await expect(page.getByTestId("instance-status")).toHaveText("Running");
});
