// What FakeBindings needs from a simulated wearable. The shape follows EspruinoSim's
// `ble` object (advertising(), connect() → a connection with services/read/write/subscribe), so
// the real firmware running in EspruinoSim and the plain fakes plug in the same way.

export interface SimCharacteristic {
  uuid: string;
  properties: string[];
}

export interface SimService {
  uuid: string;
  characteristics: SimCharacteristic[];
}

export interface SimConnection {
  readonly connected: boolean;
  services(): SimService[];
  read(service: string, characteristic: string): Uint8Array;
  write(service: string, characteristic: string, data: Uint8Array): void;
  subscribe(service: string, characteristic: string, cb: (data: Uint8Array) => void): void;
  unsubscribe(service: string, characteristic: string): void;
  disconnect(): void;
  /** Called when the wearable drops the link itself (a reboot, out of range). */
  onDisconnect(cb: (reason: string) => void): void;
}

export interface Advertising {
  name: string;
  serviceUuids: string[];
  /** 'aa:bb:cc:dd:ee:ff' */
  address: string;
}

export interface SimPeripheral {
  /** null while not advertising (connected, or switched off). */
  advertising(): Advertising | null;
  connect(): SimConnection;
  /** Moves the wearable's own time to the world's UTC ms (its clock may be skewed from it). */
  advanceTo(worldUtcMs: number): void;
}

/** 12 hex digits to 'aa:bb:cc:dd:ee:ff'. */
export function addressOf(deviceId: string): string {
  return deviceId.match(/../g)!.join(':');
}

/** Notification fan-out and link-drop callbacks every simulated connection needs. */
export class ConnectionBase {
  connected = true;
  protected subs = new Map<string, (d: Uint8Array) => void>();
  private dropCbs: Array<(reason: string) => void> = [];

  subscribe(service: string, characteristic: string, cb: (data: Uint8Array) => void): void {
    this.subs.set(key(service, characteristic), cb);
  }
  unsubscribe(service: string, characteristic: string): void {
    this.subs.delete(key(service, characteristic));
  }
  onDisconnect(cb: (reason: string) => void): void {
    this.dropCbs.push(cb);
  }
  notify(service: string, characteristic: string, data: Uint8Array): void {
    if (this.connected) this.subs.get(key(service, characteristic))?.(data);
  }
  /** The bridge hung up. */
  disconnect(): void {
    this.connected = false;
    this.subs.clear();
  }
  /** The wearable hung up. */
  drop(reason: string): void {
    if (!this.connected) return;
    this.disconnect();
    for (const cb of this.dropCbs) cb(reason);
  }
}

export function key(service: string, characteristic: string): string {
  return (service + '/' + characteristic).toLowerCase().replace(/0x|-/g, '');
}
