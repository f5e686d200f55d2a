import { expect, test } from "./fixtures/test";
import { clientAtCheckout } from "./fixtures/registration";

// The half hour a real VM takes to boot is not a black box: its phases (here the local site's, reported through
// the same route with the same token) appear live under the boot step, each with its time, while the instance
// is still being provisioned, and all are done once it runs. Nothing reloads the page.
test("the instance page streams the server's boot phases while it comes up", async ({ page }) => {
  await clientAtCheckout(page, "boot");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]{36}$/);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });

  const boot = page.locator('[data-step="boot_server"]').getByRole("list", { name: /^Boot of deployment [0-9a-f]{8}$/ });
  await expect(boot.getByRole("listitem")).toHaveCount(6);
  // A phase is under way, with its elapsed time, before the instance runs.
  await expect(boot.locator('li[data-state="running"]', { has: page.getByTestId("boot-phase-time").filter({ hasText: /^\d+ s/ }) })).toHaveCount(1);
  await expect(page.getByTestId("instance-status")).not.toHaveText("Running");

  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  for (const phase of ["cloud-init", "docker", "images", "launch", "migrations", "health"]) {
    await expect(boot.locator(`li[data-phase="${phase}"]`)).toHaveAttribute("data-state", "done");
  }
  await expect(boot.locator('li[data-phase="images"]').getByTestId("boot-phase-time")).toHaveText(/^\d+ s$/);
  await expect(page.getByRole("region", { name: "Event log" })).toContainText(/pull the open edx images \(images\) took \d+ s/);
  expect(navigations).toBe(0);
});
