// A second advertising packet, sent in turn with the usual one (Espruino rotates through an
// array of them): the bushu service's 128-bit UUID, so that a bridge finds bushu watches by
// what they serve and not by their name, and the BLE address in manufacturer data, which is how
// WeChat matches an advertising wristband to the device registered for it (docs/protocol.md).
//
// Why a packet of its own: the usual one holds the flags, the name ("Bangle.js 1a2b", 16 bytes)
// and Espruino's manufacturer id, and the scan response the Nordic UART's 128-bit UUID (the App
// Loader, the IDE and Gadgetbridge look for it) with 0xFEE7: neither has the 18 bytes a 128-bit
// UUID takes. This one is exactly 31 bytes: flags, the UUID, then 0x0590 (Espruino's company id,
// for official Espruino devices) and the 6 address bytes.

import type { Nrf } from '../espruino.ts';

declare const NRF: Nrf & { setAdvertising(data: unknown, options?: unknown): void };

/** b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01 (UUID.SERVICE), least significant byte first, as BLE sends it. */
const SERVICE_LE = [0x01, 0x0b, 0x6f, 0x3e, 0x1d, 0x5a, 0x2f, 0x9c, 0x8a, 0x4b, 0x4e, 0x7e, 0x01, 0x00, 0x75, 0xb5];

/** The bushu packet for the address "aa:bb:cc:dd:ee:ff public" (NRF.getAddress()). */
export function bushuPacket(address: string): number[] {
  const mac = address.split(' ')[0].split(':').map((hex) => parseInt(hex, 16));
  // length, type: 0x01 flags (LE general discoverable, no BR/EDR), 0x07 complete list of 128-bit
  // UUIDs, 0xFF manufacturer data.
  return [2, 1, 6, 17, 7].concat(SERVICE_LE, [9, 0xff, 0x90, 0x05], mac);
}

/**
 * Advertises the usual packet ({}: flags, name, Espruino's id) and the bushu packet in turn.
 * `showName` false keeps the name out, as the Bangle's "BLE name" setting asks. An app that sets
 * its own advertising later replaces both; bushu's service still works, it is only not advertised.
 */
export function advertise(showName: boolean): void {
  try {
    NRF.setAdvertising([{}, bushuPacket(NRF.getAddress())], { showName: showName });
  } catch (e) {
    // an older firmware without packet rotation: the usual advertising stays
  }
}
