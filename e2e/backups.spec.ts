import { expect, test } from "./fixtures/test";
import { clientAtCheckout } from "./fixtures/registration";

// An owner backs up a running instance from its page, downloads the backup as a tar, and restores it: the restore
// asks for the subdomain typed, backs the current state up first, and the instance is running again afterwards.
// Everything shows live on the page; nothing reloads it (the panel follows the live status: "Back up now" appears
// once the instance runs).
test("an owner takes a backup, downloads it and restores it from the instance page", async ({ page }) => {
  const { subdomain } = await clientAtCheckout(page, "backup");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 90_000 });

  const panel = page.getByRole("region", { name: "Backups" });
  await panel.getByRole("button", { name: "Back up now" }).click();
  await expect(panel.getByRole("status")).toContainText("Backup started");
  const onDemand = panel.getByRole("row").filter({ hasText: "on demand" });
  await expect(onDemand.getByRole("cell", { name: "verified" })).toBeVisible({ timeout: 90_000 });

  // The download is the portal's decrypted tar: a ustar archive whose first entry is the manifest.
  const download = onDemand.getByRole("link", { name: /^Download the backup of / });
  const response = await page.request.get((await download.getAttribute("href"))!);
  expect(response.status()).toBe(200);
  const archive = await response.body();
  expect(archive.subarray(257, 262).toString("latin1")).toBe("ustar");
  expect(archive.subarray(0, 100).toString("latin1").replace(/\0+$/, "")).toBe("manifest.json");

  await onDemand.getByRole("button", { name: /^Restore the backup of / }).click();
  const restore = panel.getByRole("button", { name: "Restore this backup" });
  await expect(restore).toBeDisabled();
  await panel.getByLabel(`Type ${subdomain} to confirm`).fill(subdomain);
  await restore.click();
  await expect(panel.getByRole("status")).toContainText("Restore started");
  // The state before the restore is kept as a backup of its own, and the instance comes back.
  await expect(panel.getByRole("row").filter({ hasText: "before a restore" }).getByRole("cell", { name: "verified" })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole("region", { name: "Event log" })).toContainText(/restor/i, { timeout: 90_000 });
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 90_000 });
  expect(navigations).toBe(0);
});
