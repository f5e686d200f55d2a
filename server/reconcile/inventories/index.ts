// Every backend reconcile compares with the ledger. A new backend is one more file in this folder and one more
// line here.
import type { InventoryFactory } from "../inventory";
import { bucketKeyInventories } from "./bucket-keys";
import { computeInventories } from "./compute";
import { dnsInventories } from "./dns";
import { mongodbInventories } from "./mongodb";
import { mysqlInventories } from "./mysql";
import { objectStorageInventories } from "./object-storage";
import { rabbitmqInventories } from "./rabbitmq";

export const INVENTORY_FACTORIES: InventoryFactory[] = [
  mysqlInventories,
  mongodbInventories,
  rabbitmqInventories,
  objectStorageInventories,
  bucketKeyInventories,
  computeInventories,
  dnsInventories,
];
