// Types of the Espruino globals the adapters use. Type-only: each adapter declares the globals
// it touches with `declare const` at module scope, so nothing leaks into the Node code's globals.

export interface StorageModule {
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: Uint8Array | string, offset?: number, size?: number): boolean;
  erase(name: string): void;
}

export interface EspruinoE {
  CRC32(data: Uint8Array): number;
  convolve(a: Int16Array, b: Int16Array, offset: number): number;
  sum(a: Int16Array): number;
  setTimeZone(hours: number): void;
  getBattery(): number;
  on(event: 'kill', fn: () => void): void;
}

export interface Nrf {
  getAddress(): string;
  setServices(table: unknown, options: unknown): void;
  updateServices(table: unknown): void;
  on(event: 'connect', fn: () => void): void;
}

export interface WriteEvent {
  data: ArrayBuffer;
}

export interface Graphics {
  reset(): Graphics;
  clear(): Graphics;
  setFont(name: string, scale?: number): Graphics;
  setFontAlign(x: number, y: number): Graphics;
  setColor(c: number): Graphics;
  drawString(s: string, x: number, y: number): Graphics;
  fillRect(x1: number, y1: number, x2: number, y2: number): Graphics;
  drawRect(x1: number, y1: number, x2: number, y2: number): Graphics;
  clearRect(x1: number, y1: number, x2: number, y2: number): Graphics;
  getWidth(): number;
  flip(): Graphics;
}

export interface Widget {
  area: string;
  width: number;
  x?: number;
  y?: number;
  draw(this: Widget, w?: Widget): void;
}

export interface WatchEvent {
  state: boolean;
  time: number;
  lastTime: number;
}
