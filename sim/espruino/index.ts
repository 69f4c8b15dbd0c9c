// The simulated Espruino environment: see sim.ts for the device, storage.ts for flash.
export { EspruinoSim, type SimOptions, type AccelSample } from './sim.ts';
export { SimStorage, type FlashStats } from './storage.ts';
export type { SimBle, SimConnection } from './ble.ts';
export { crc32, convolve, sum, variance } from './natives.ts';
