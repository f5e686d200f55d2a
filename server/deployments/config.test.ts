import { describe, expect, it } from "vitest";
import { renderServiceConfig } from "@/server/instances/service-config";
import { instance, ledger, sampleDeploymentConfig } from "@/tests/helpers/sample-deployment";
import { deploymentConfigSchema } from "./config";

describe("the deployment configuration's schema", () => {
  it("holds every field the three renderers produce, and nothing else (a field rendered but not listed is lost on parse)", () => {
    const { services } = renderServiceConfig(ledger, { endpoint: null, forcePathStyle: false }, instance);
    const config = sampleDeploymentConfig(instance, services);
    expect(Object.keys(config.services).sort()).toEqual(["mongodb", "mysql", "objectStorage", "rabbitmq", "smtp"]);
    expect(deploymentConfigSchema.parse(config)).toEqual(config);
  });

  it("says which field is wrong in a stored configuration of another shape", () => {
    const result = deploymentConfigSchema.safeParse({ ...sampleDeploymentConfig(), plan: 7, services: { mysql: { server: "db:3306" } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["plan", "services.mysql.databases", "services.mysql.users"]);
  });
});
