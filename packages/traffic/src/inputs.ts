/** The traffic-provider inputs shared by the canary and rollback actions. */
import { InputError, Inputs, splitArgs } from '@rollgate/kit';
import { CommandProvider } from './command.js';
import { HttpProvider } from './http.js';
import { NginxProvider } from './nginx.js';
import { HaproxyProvider } from './haproxy.js';
import type { TrafficProvider } from './provider.js';

export function trafficFromInputs(inputs: Inputs): TrafficProvider {
  const provider = providerFromInputs(inputs);
  const entry = inputs.string('entry-url', {
    pattern: { regex: /^https?:\/\/\S+$/, description: 'an http(s) URL users reach the service through' },
  });
  if (entry) provider.entry = entry;
  return provider;
}

function providerFromInputs(inputs: Inputs): TrafficProvider {
  const provider = inputs.oneOf('traffic-provider', ['nginx', 'haproxy', 'command', 'http'] as const);
  if (provider === 'haproxy') {
    return new HaproxyProvider({
      socket: inputs.string('haproxy-socket', { required: true }),
      backend: inputs.string('haproxy-backend', { required: true }),
      stableServer: inputs.string('haproxy-stable-server', { required: true }),
      canaryServer: inputs.string('haproxy-canary-server', { required: true }),
    });
  }
  if (provider === 'nginx') {
    return new NginxProvider({
      upstreamFile: inputs.string('nginx-upstream-file', { required: true }),
      upstreamName: inputs.string('nginx-upstream-name', {
        required: true,
        pattern: { regex: /^[\w-]+$/, description: 'an upstream name of letters, digits, _ or -' },
      }),
      testCommand: splitArgs(inputs.string('nginx-test-command', { required: true })),
      reloadCommand: splitArgs(inputs.string('nginx-reload-command', { required: true })),
    });
  }
  if (provider === 'command')
    return new CommandProvider(splitArgs(inputs.string('traffic-command', { required: true })), readCommand(inputs));
  const url = inputs.string('traffic-url', {
    required: true,
    pattern: { regex: /^https?:\/\/\S+$/, description: 'an http(s) URL' },
  });
  const token = inputs.string('traffic-token');
  return new HttpProvider(url, token ? { authorization: `Bearer ${token}` } : {});
}

/** The command provider's read-back: without it no split the command sets could be confirmed. */
function readCommand(inputs: Inputs): string[] {
  const text = inputs.string('traffic-read-command');
  if (!text)
    throw new InputError(
      'traffic-read-command',
      'a program that prints what the traffic layer routes as JSON routes (required with traffic-provider command: every split set is read back)',
    );
  return splitArgs(text);
}
