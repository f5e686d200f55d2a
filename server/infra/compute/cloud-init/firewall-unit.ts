// The systemd unit that loads a VM's nftables rules at every boot, before the services they guard start (the
// application VM's metrics ports, the services VM's memcached and Elasticsearch).
export function firewallUnitFile(unit: { description: string; before: string; rulesFile: string }): string {
  return [
    "[Unit]",
    `Description=${unit.description}`,
    `Before=${unit.before}`,
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=/usr/sbin/nft -f ${unit.rulesFile}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
