import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Hex, sha256HexOn } from '../shared/sha256.ts';

const reference = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  const inputs: Array<string | Uint8Array> = ['', 'abc', '步数 walker', new Uint8Array([0, 1, 2, 255]), Buffer.alloc(3000, 7)];

  it('is SHA-256: the FIPS 180-2 vector, and createHash on strings (as UTF-8) and bytes', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const data of inputs) expect(sha256Hex(data)).toBe(reference(data));
    expect(sha256('abc')).toEqual(Buffer.from(reference('abc'), 'hex'));
  });

  it('gives the same digests on a Node without the one-call hash (before 20.12) as with it', () => {
    const streaming = sha256HexOn(undefined);
    const oneCall = sha256HexOn((crypto as unknown as { hash: Parameters<typeof sha256HexOn>[0] }).hash);
    for (const data of inputs) {
      expect(streaming(data)).toBe(reference(data));
      expect(oneCall(data)).toBe(reference(data));
    }
  });
});
