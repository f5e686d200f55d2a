import { expect, test } from "./fixtures/test";
import { logIn } from "./fixtures/accounts";
import { injectFault } from "./fixtures/faults";
import { clientAtCheckout } from "./fixtures/registration";
import { E2E_STAFF } from "./fixtures/staff";

test("a failing step shows live with its error; Retry resumes it, and staff deprovision it from the page", async ({ page }) => {
  const { subdomain, instanceId } = await clientAtCheckout(page, "fault");
  await injectFault(instanceId, { step: "rabbitmq", message: "management API answered 503" });

  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(new RegExp(`/instances/${instanceId}$`));
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await expect(page.getByTestId("instance-status")).toHaveText("Failed");
  await expect(page.locator('[data-step="rabbitmq"]')).toHaveAttribute("data-state", "failed");
  await expect(page.locator('[data-step="mysql"]')).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("failure").getByRole("alert")).toContainText("management API answered 503");
  // What was made so far is listed by name for the owner.
  const resources = page.getByRole("table", { name: "Resources" });
  await expect(resources.getByRole("row").filter({ hasText: "MySQL database" }).first()).toBeVisible();
  await expect(resources).toContainText("_edxapp_csmh");

  await page.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  await expect(page.locator('[data-step="rabbitmq"]')).toHaveAttribute("data-state", "done");
  await expect(page.getByText("Provision resumed on request: steps finished earlier are skipped.")).toBeVisible();
  await expect(resources.getByRole("row").filter({ hasText: "RabbitMQ virtual host" })).toHaveCount(1);
  await expect(resources.getByRole("row").filter({ hasText: "Storage bucket" })).toContainText("private, versioned");
  await expect(page.getByRole("heading", { name: "Deprovision (staff)" })).toHaveCount(0);
  expect(navigations).toBe(0);

  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, E2E_STAFF, `/instances/${instanceId}`);
  await expect(page.getByRole("heading", { name: "Deprovision (staff)" })).toBeVisible();
  const form = page.getByRole("form", { name: "Deprovision the instance" });
  const deprovision = form.getByRole("button", { name: "Deprovision instance" });
  await form.getByLabel("Reason").fill("The school asked us to close it.");
  await expect(deprovision).toBeDisabled();
  await form.getByLabel(`Type ${subdomain} to confirm`).fill(subdomain);
  await deprovision.click();
  await expect(page.getByTestId("instance-status")).toHaveText("Deprovisioned", { timeout: 60_000 });
  await expect(page.locator('[data-step="verify_removed"]')).toHaveAttribute("data-state", "done");
  await expect(page.getByText(/All \d+ resources have been removed\./)).toBeVisible();
});

test("a running operation can be cancelled from the page", async ({ page }) => {
  const { instanceId } = await clientAtCheckout(page, "cancel");
  await injectFault(instanceId, { step: "mongodb", action: "hang" });
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.locator('[data-step="mongodb"]')).toHaveAttribute("data-state", "running");
  await page.getByRole("button", { name: "Cancel operation" }).click();
  await expect(page.getByTestId("instance-status")).toHaveText("Failed");
  await expect(page.locator('[data-step="mongodb"]')).toHaveAttribute("data-state", "failed");
  await expect(page.getByTestId("failure")).toContainText("cancelled on request");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
});
