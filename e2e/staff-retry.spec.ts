import { expect, test } from "./fixtures/test";
import { injectFault } from "./fixtures/faults";
import { clientAtCheckout } from "./fixtures/registration";
import { E2E_STAFF, staffPage } from "./fixtures/staff";

test("staff find a failed instance by search, retry it with a reason, watch it turn running live and see the action in the audit log", async ({
  page: client,
  browser,
}) => {
  const { suffix, subdomain, name, instanceId } = await clientAtCheckout(client, "retry");
  await injectFault(instanceId, { step: "rabbitmq", message: "management API answered 503" });
  await client.getByRole("button", { name: /^Pay / }).click();
  await expect(client.getByTestId("instance-status")).toHaveText("Failed", { timeout: 60_000 });

  // Staff look for failed instances matching the owner's name.
  const staff = await staffPage(browser);
  await staff.getByRole("searchbox", { name: "Search" }).fill(suffix);
  await staff.getByRole("search", { name: "Find instances" }).getByRole("combobox", { name: "Status" }).selectOption("failed");
  await staff.getByRole("button", { name: "Apply" }).click();
  await expect(staff).toHaveURL(new RegExp(`/staff\\?search=${suffix}&status=failed`));
  const results = staff.getByRole("table", { name: "Instances" });
  await expect(results.getByRole("row")).toHaveCount(2); // the header and the one match
  await results.getByRole("link", { name }).click();

  await expect(staff).toHaveURL(new RegExp(`/staff/instances/${instanceId}$`));
  await expect(staff.getByTestId("instance-status")).toHaveText("Failed");
  await expect(staff.getByTestId("live-connection")).toHaveText("live");
  const log = staff.getByRole("list", { name: "Event log" });
  await expect(log).toContainText("management API answered 503");
  await expect(staff.getByRole("table", { name: "Operations" })).toContainText("rabbitmq: failed");

  // The reason is required: an empty one is refused by the browser, a too-short one by the server.
  const retry = staff.getByRole("form", { name: "Retry the failed operation" });
  await retry.getByLabel("Reason").fill("ok");
  await retry.getByRole("button", { name: "Retry" }).click();
  await expect(retry.getByRole("alert")).toContainText("at least 3 characters");
  await expect(staff.getByTestId("instance-status")).toHaveText("Failed");

  // The page follows the retried operation without a reload (a reload would lose this marker).
  await staff.evaluate(() => Object.assign(window, { __stillTheSamePage: true }));
  const reason = `RabbitMQ is back after maintenance (${suffix})`;
  await retry.getByLabel("Reason").fill(reason);
  await retry.getByRole("button", { name: "Retry" }).click();
  // The form goes once the instance has left "failed"; the log says who asked for what.
  await expect(log).toContainText("Retry requested by Lyceum staff: the provision resumes at step rabbitmq.");
  await expect(staff.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });
  await expect(log).toContainText("Your instance is running at");
  expect(await staff.evaluate(() => (window as unknown as { __stillTheSamePage?: boolean }).__stillTheSamePage)).toBe(true);
  await expect(staff.getByRole("table", { name: "Operations" })).toContainText("rabbitmq: succeeded");
  // The owner's page followed too.
  await expect(client.getByTestId("instance-status")).toHaveText("Running", { timeout: 60_000 });

  // The action is on the instance's own page and in the fleet's audit log, with who, why and what it did.
  const own = staff.getByRole("table", { name: "Staff actions on this instance" });
  await expect(own).toContainText("Retry the failed operation");
  await expect(own).toContainText(reason);
  await staff.getByRole("navigation", { name: "Staff" }).getByRole("link", { name: "Audit log" }).click();
  await expect(staff.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const entry = staff.getByRole("table", { name: "Audit entries" }).getByRole("row").filter({ hasText: reason });
  await expect(entry).toHaveCount(1);
  await expect(entry).toHaveAttribute("data-outcome", "accepted");
  await expect(entry).toContainText(E2E_STAFF.email);
  await expect(entry).toContainText("Retry the failed operation");
  await expect(entry).toContainText(/Re-opened operation [0-9a-f-]+; it resumes at step rabbitmq/);
  await expect(entry.getByRole("link", { name: subdomain })).toHaveAttribute("href", `/staff/instances/${instanceId}`);
  await staff.context().close();
});
