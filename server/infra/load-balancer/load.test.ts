import { describe, expect, it } from "vitest";
import { combineLoad, parseHaproxyLoad } from "./load";

const ID = "0b7f6c5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f";
const stat = [
  "# pxname,svname,qcur,scur,stot,status,req_tot,rtime,",
  "fe_sites,FRONTEND,,3,900,OPEN,900,,",
  `be_site_${ID},app1,0,1,400,UP,,4,`,
  `be_site_${ID},app2,0,1,380,UP 1/2,,5,`,
  `be_site_${ID},app3,0,0,20,DOWN,,0,`,
  `be_site_${ID},BACKEND,0,2,800,UP,812,4,`,
  "be_portal,BACKEND,0,0,5,UP,5,1,",
  "",
].join("\n");

describe("HAProxy's load, as the autoscaler reads it", () => {
  it("takes each site's request total and response time from its backend row, and counts the servers up", () => {
    const reading = parseHaproxyLoad("Name: HAProxy\nVersion: 2.6.12\nPid: 4242\nUptime: 0d 0h01m02s\n", stat);
    expect(reading.processId).toBe(4242);
    expect([...reading.sites.entries()]).toEqual([[ID, { requestsTotal: 812, responseTimeMs: 4, serversUp: 2 }]]);
  });

  it("refuses an answer that names no process (counters could not be compared)", () => {
    expect(() => parseHaproxyLoad("Name: HAProxy\n", stat)).toThrow(/named no Pid/);
  });

  it("adds up the nodes of a cluster: requests summed, response time weighted by them, a server up when some node sees it up", () => {
    const node = (label: string, processId: number, requestsTotal: number, responseTimeMs: number, serversUp: number) => ({
      label,
      processId,
      sites: new Map([[ID, { requestsTotal, responseTimeMs, serversUp }]]),
    });
    const reading = combineLoad([node("http://lb1:8404/stats", 11, 300, 10, 2), node("http://lb2:8404/stats", 22, 100, 30, 1)]);
    expect(reading.sites.get(ID)).toEqual({ requestsTotal: 400, responseTimeMs: 15, serversUp: 2 });
    // The same processes in another order are the same set; a reload on one node makes another.
    expect(combineLoad([node("http://lb2:8404/stats", 22, 0, 0, 1), node("http://lb1:8404/stats", 11, 0, 0, 1)]).processId).toBe(reading.processId);
    expect(combineLoad([node("http://lb1:8404/stats", 11, 0, 0, 1), node("http://lb2:8404/stats", 23, 0, 0, 1)]).processId).not.toBe(reading.processId);
  });
});
