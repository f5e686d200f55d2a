import { expect, test } from "./fixtures/test";
import { logIn } from "./fixtures/accounts";
import { clientAtCheckout } from "./fixtures/registration";
import { E2E_STAFF } from "./fixtures/staff";

test("staff add a release; its owner upgrades to it and rolls back, live, with the restore's warning", async ({ page }) => {
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
