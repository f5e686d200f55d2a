// Configurations for tests that parse one themselves (parseEnv), without the test run's environment.

/** The least parseEnv accepts: everything else takes its default. */
export const MINIMAL_ENV = {
  DATABASE_URL: "postgres://localhost/lyceum",
  AUTH_SECRET: "x".repeat(32),
  LYCEUM_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

/** The OVH driver's own settings (nothing is called: the values only have to be well-formed). */
export const OVH_DRIVER_SETTINGS = {
  COMPUTE_DRIVER: "ovh",
  OVH_ENDPOINT: "ovh-eu",
  OVH_APPLICATION_KEY: "app-key",
  OVH_APPLICATION_SECRET: "app-secret",
  OVH_CONSUMER_KEY: "consumer-key",
  OVH_PROJECT_ID: "0123456789abcdef0123456789abcdef",
  OVH_REGION: "GRA11",
  OVH_FLAVOR_ID: "flavor-id",
  OVH_IMAGE_ID: "image-id",
  OVH_SSH_KEY_ID: "ssh-key-id",
  // VMs send mail through the instance mail relay at this address (the default, loopback, is unreachable from a VM).
  LYCEUM_MAIL_RELAY_PUBLIC_HOST: "relay.lyceum.example:587",
};

/** Every setting COMPUTE_DRIVER=ovh requires. */
export const OVH_SETTINGS = {
  ...OVH_DRIVER_SETTINGS,
  // A VM is disposable: its data services are clusters it reaches over the network, never itself (loopback).
  MYSQL_ADMIN_URL: "mysql://admin:pw@mysql.lyceum.example:3306",
  MONGODB_ADMIN_URL: "mongodb://admin:pw@mongo1.lyceum.example:27017,mongo2.lyceum.example:27017/?authSource=admin",
  RABBITMQ_AMQP_URL: "amqp://rabbit.lyceum.example:5672",
};
