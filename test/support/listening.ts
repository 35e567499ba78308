/**
 * Where a port is listening, seen from outside the process that opened it: the
 * kernel's socket tables (Linux `/proc/net/tcp`, `/proc/net/tcp6`), and whether a
 * connection to a given loopback address gets through. A socket bound to 127.0.0.1
 * refuses 127.0.0.2 (also loopback on Linux), one bound to every interface accepts it:
 * that tells the two apart without sending anything off this machine.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const LISTEN = '0A';

/** IPv4 in /proc is four little-endian bytes in hex; IPv6 is four such 32-bit words. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const bytes = Buffer.from(hex, 'hex');
  for (let word = 0; word < 4; word++) bytes.subarray(word * 4, word * 4 + 4).reverse();
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  if (text.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${[12, 13, 14, 15].map((i) => bytes[i]).join('.')}`;
  return text;
}

/** The local addresses with a TCP socket listening on `port`, e.g. `['127.0.0.1']`. */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== LISTEN) continue;
      const [address, portHex] = local.split(':');
      if (parseInt(portHex ?? '', 16) === port) found.push(decodeAddress(address!));
    }
  }
  return found;
}

/** Whether a TCP connection to `host:port` is accepted (closed at once). */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
