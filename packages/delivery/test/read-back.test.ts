/** Read back, then record: what confirmSplit accepts and what it refuses, over an in-memory traffic layer. */
import { describe, expect, it } from '@jest/globals';
import { MemoryTraffic } from '@rollgate/testbed';
import { CommandProvider } from '@rollgate/traffic';
import { checkReadable, confirmSplit, TrafficUnverified } from '../src/slots/read-back.js';

const stable = { version: '1.0.0' };
const canary = { version: '1.1.0' };

describe('confirmSplit', () => {
  it('confirms a split the layer routes by version, and says what it read', async () => {
    const t = new MemoryTraffic();
    await t.setSplit({ stable, canary, canaryWeight: 0 });
    expect(await confirmSplit(t, { stable, canary, canaryWeight: 0 })).toBe(
      '1.0.0 (read back: memory routes 100% to 1.0.0)',
    );
    await t.setSplit({ stable, canary, canaryWeight: 25 });
    expect(await confirmSplit(t, { stable, canary, canaryWeight: 25 })).toMatch(
      /^75% on 1\.0\.0, 25% on 1\.1\.0 \(read back/,
    );
  });

  it('refuses a layer that routes something else (a hand edit, a restart)', async () => {
    const t = new MemoryTraffic();
    await t.setSplit({ stable, canary, canaryWeight: 0 });
    t.divert([{ version: '1.1.0', weight: 100 }]);
    await expect(confirmSplit(t, { stable, canary, canaryWeight: 0 })).rejects.toThrow(
      new TrafficUnverified('Traffic read back wrong: memory routes 100% to 1.1.0, not 100% to 1.0.0.'),
    );
    t.divert([
      { version: '1.0.0', weight: 90 },
      { version: '1.1.0', weight: 10 },
    ]);
    await expect(confirmSplit(t, { stable, canary, canaryWeight: 0 })).rejects.toThrow(TrafficUnverified);
  });

  it('refuses an address routed to another version than the split says', async () => {
    const t = new MemoryTraffic();
    t.divert([{ address: '10.0.0.5:8081', version: '1.1.0', weight: 100 }]);
    await expect(
      confirmSplit(t, { stable: { version: '1.0.0', address: '10.0.0.5:8081' }, canary, canaryWeight: 0 }),
    ).rejects.toThrow(/routes 100% to 1\.1\.0 at 10\.0\.0\.5:8081, not 100% to 1\.0\.0 at 10\.0\.0\.5:8081/);
  });

  it('a layer that cannot be read is an error, never a confirmation', async () => {
    const t = new CommandProvider(['true'], ['false']);
    await expect(confirmSplit(t, { stable, canary, canaryWeight: 0 })).rejects.toThrow(
      /^Traffic cannot be read back: traffic-read-command 'false' exited with code 1/,
    );
  });

  it('routes by address with a split that names none cannot be confirmed', async () => {
    const t = new MemoryTraffic();
    t.divert([{ address: '10.0.0.5:8081', weight: 100 }]);
    await expect(confirmSplit(t, { stable, canary, canaryWeight: 0 })).rejects.toThrow(
      /memory routes by address and the split names no address for 1\.0\.0/,
    );
  });
});

describe('checkReadable', () => {
  it('names the read input when the read-back does not answer before anything moves', async () => {
    await expect(checkReadable(new CommandProvider(['true'], ['node', '-e', 'console.log("ok")']))).rejects.toThrow(
      /^Input 'traffic-read-command': expected a read-back of the split that answers \(traffic-read-command 'node -e console.log\("ok"\)' did not answer JSON routes: "ok"\)/,
    );
    await expect(checkReadable(new MemoryTraffic())).resolves.toBeUndefined();
  });
});
