/**
 * planMoves against a model of HAProxy's two role slots: after every command some server
 * takes requests (HAProxy answers 503 when none does), a slot changes address only at weight
 * 0, and the end is what was asked; over every combination of addresses and weights.
 */
import { describe, expect, it } from '@jest/globals';
import { planMoves } from '../src/haproxy.js';

type Slots = Record<string, { address?: string; weight: number }>;
const ADDRESSES = ['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1003'];
const WEIGHTS = [0, 5, 50, 100];

function replay(held: Slots, commands: string[]): Slots {
  const now = JSON.parse(JSON.stringify(held)) as Slots;
  for (const c of commands) {
    const [name, verb, a, , port] = c.split(' ') as [string, string, string, string, string];
    const slot = now[name] as { address?: string; weight: number };
    if (verb === 'weight') slot.weight = Number(a);
    else if (verb === 'addr') {
      expect({ command: c, weightWhileMoving: slot.weight }).toEqual({ command: c, weightWhileMoving: 0 });
      slot.address = `${a}:${port}`;
    } else expect(verb).toBe('state');
    const serving = Object.values(now).reduce((n, s) => n + s.weight, 0);
    expect({ command: c, serving: serving > 0 }).toEqual({ command: c, serving: true });
  }
  return now;
}

describe('HAProxy slot moves', () => {
  it('never leaves both slots at weight 0 and ends where asked, for every move between two splits', () => {
    let cases = 0;
    for (const sa of ADDRESSES)
      for (const ca of ADDRESSES)
        for (const sw of WEIGHTS)
          for (const ta of ADDRESSES)
            for (const tc of ADDRESSES)
              for (const w of WEIGHTS) {
                const held: Slots = { stable: { address: sa, weight: sw }, canary: { address: ca, weight: 100 - sw } };
                const want: Slots = { stable: { address: ta, weight: 100 - w }, canary: { address: tc, weight: w } };
                expect(replay(held, planMoves(held, want))).toEqual(want);
                cases++;
              }
    expect(cases).toBe(3 ** 4 * 16);
  });

  it('promotes to 100% with two weight changes, canary first (the old order passed through 0 and 0)', () => {
    const a = '127.0.0.1:1001';
    const b = '127.0.0.1:1002';
    const held = { stable: { address: a, weight: 50 }, canary: { address: b, weight: 50 } };
    const want = { stable: { address: a, weight: 0 }, canary: { address: b, weight: 100 } };
    expect(planMoves(held, want)).toEqual([
      'canary weight 100',
      'stable weight 0',
      'stable state ready',
      'canary state ready',
    ]);
  });
});
