// What to tell a person when the Bluetooth adapter is not usable. Each message says what is
// wrong and what to do, because "state is unauthorized" alone helps nobody.

import type { AdapterState } from './central.ts';

export class AdapterError extends Error {
  constructor(
    readonly state: AdapterState | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'AdapterError';
  }
}

const SIMULATE_HINT = 'To try the bridge without hardware, run it on simulated wearables: bushu run --simulate 3';

export function adapterMessage(state: AdapterState | 'missing', platform: string = process.platform): string {
  switch (state) {
    case 'missing':
      return `No Bluetooth adapter: this machine has no usable Bluetooth LE adapter (or the kernel has no Bluetooth support). ${SIMULATE_HINT}`;
    case 'poweredOff':
      return 'Bluetooth is turned off. Turn it on (Linux: `bluetoothctl power on` or `rfkill unblock bluetooth`; macOS and Windows: the Bluetooth settings) and try again.';
    case 'unauthorized':
      return platform === 'darwin'
        ? 'This terminal is not allowed to use Bluetooth. Allow it in System Settings > Privacy & Security > Bluetooth, then restart the terminal.'
        : 'Not allowed to use Bluetooth. Either run as root, or let Node open raw HCI sockets: ' +
            'sudo setcap cap_net_raw+eip $(eval readlink -f $(which node)) (and stop bluetoothd from holding the adapter: sudo systemctl stop bluetooth).';
    case 'unsupported':
      return `The Bluetooth adapter does not support Bluetooth Low Energy. Use a BLE 4.0+ adapter. ${SIMULATE_HINT}`;
    case 'resetting':
      return 'The Bluetooth adapter is resetting; try again in a few seconds.';
    case 'unknown':
      return `The Bluetooth adapter did not report its state in time. Check that it is plugged in and not used by another program. ${SIMULATE_HINT}`;
    default:
      return `Bluetooth is ready.`;
  }
}

/** True when an import or init error means "there is no Bluetooth here at all". */
export function isMissingAdapter(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  const text = `${err?.code ?? ''} ${err?.message ?? ''}`;
  return /EAFNOSUPPORT|ENODEV|No compatible USB Bluetooth|LIBUSB|Unsupported platform|Cannot find module/i.test(text);
}
