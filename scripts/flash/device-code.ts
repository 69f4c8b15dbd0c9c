// The small snippets of JavaScript sent to the device's REPL (through `espruino -e`). They stay in
// the JavaScript subset Espruino understands and use no module but the built-in Storage, so the
// espruino CLI never tries to fetch a module from the internet.
/** Markers the device prints, so the flasher knows each step really ran there. */
export const SIZES_MARKER = 'BUSHU-FLASH-SIZES';
export const TIME_MARKER = 'BUSHU-FLASH-TIME';

/** Prints the size of each Storage file as the device sees it (-1 when missing). */
export function sizesExpression(names: string[]): string {
  return `print(${JSON.stringify(SIZES_MARKER + ' ')}+JSON.stringify(${JSON.stringify(names)}.map(function(n){`
    + `var s=require("Storage").read(n);return s===undefined?-1:s.length;})))`;
}

/** Parses the sizes line out of the device output; undefined when the device never printed it. */
export function parseSizes(output: string): number[] | undefined {
  // The echo of the command (if any) shows `"BUSHU-FLASH-SIZES "+JSON...`, which this does not match.
  const m = new RegExp(`${SIZES_MARKER} (\\[[-0-9,]*\\])`).exec(output);
  return m ? (JSON.parse(m[1]!) as number[]) : undefined;
}

/** Unix seconds, with milliseconds, as Espruino's setTime wants them. */
export function unixSeconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

/**
 * Sets the clock and time zone, then restarts the JavaScript so the new files run: load() on both
 * targets (Bangle: the boot files run and the clock app starts; Puck: .bootcde runs). Restarting
 * the interpreter is all new Storage files need, so no hardware reset (E.reboot) is sent.
 */
export function setTimeExpression(time: Date): string {
  // The zone is the host's UTC offset at that instant (so it follows daylight saving), in hours.
  const zoneHours = -time.getTimezoneOffset() / 60;
  return `setTime(${unixSeconds(time)});E.setTimeZone(${zoneHours});print(${JSON.stringify(TIME_MARKER + ' ')}+Math.round(getTime()));load()`;
}
