#!/usr/bin/env node
// The canary's `command` traffic provider reads the split back with this:
//   traffic-read-command: node examples/router/read-routes.mjs <router host:port>
// It prints what the router routes now ({"routes": [{"address", "version", "weight"}]}) and
// exits non-zero when the router does not answer: an unread split is never taken as confirmed.
const [address] = process.argv.slice(2);
if (!address || !/^[\w.-]+:\d+$/.test(address)) {
  console.error('usage: read-routes.mjs <router host:port>');
  process.exit(2);
}
try {
  const res = await fetch(`http://${address}/_router/routes`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`answered ${res.status}`);
  process.stdout.write(await res.text());
} catch (error) {
  console.error(`router ${address}: ${error.message}`);
  process.exit(1);
}
