// Date inside the device context: "now" is virtual time, and local time follows E.setTimeZone
// (Espruino applies one fixed offset, in minutes; the host machine's zone must never leak in).
// It is source code run inside the context, so the class belongs to the device's realm and
// `new Date() instanceof Date` holds there. It subclasses the context's own Date, shifting by
// the zone for the local getters and setters; the UTC ones are inherited unchanged.
import vm from 'node:vm';

export interface DateHost {
  now(): number; // virtual UTC ms
  tzMinutes(): number; // east positive
}

const SHIM = `(function (host) {
  var R = Date;
  var zone = function () { return host.tzMinutes() * 60000; };
  function parse(s) {
    s = String(s);
    // ISO without a zone is local time on Espruino; the host's Date.parse would use the host zone
    var iso = /^(\\d{4})-(\\d\\d)-(\\d\\d)(?:[T ](\\d\\d):(\\d\\d)(?::(\\d\\d)(?:\\.(\\d+))?)?)?$/.exec(s);
    if (iso) {
      return R.UTC(+iso[1], +iso[2] - 1, +iso[3], +(iso[4] || 0), +(iso[5] || 0), +(iso[6] || 0),
        +((iso[7] || '0') + '00').slice(0, 3)) - zone();
    }
    return R.parse(s);
  }
  class D extends R {
    constructor(a, b, c, d, e, f, g) {
      var n = arguments.length, t;
      if (n === 0) t = host.now();
      else if (n === 1) t = typeof a === 'string' ? parse(a) : (a instanceof R ? a.getTime() : +a);
      else t = R.UTC(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0) - zone();
      super(t);
    }
    static now() { return host.now(); }
    static parse(s) { return parse(s); }
    static UTC(a, b, c, d, e, f, g) { return R.UTC(a, b === undefined ? 0 : b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0); }
    getTimezoneOffset() { return -host.tzMinutes(); }
    toString() {
      var days = ['Sun','Mon','Tue','Wed','Thu','Fri','Sat'];
      var months = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'];
      var p = function (x) { return (x < 10 ? '0' : '') + x; };
      var m = host.tzMinutes(), a = m < 0 ? -m : m;
      return days[this.getDay()] + ' ' + months[this.getMonth()] + ' ' + p(this.getDate()) + ' ' +
        this.getFullYear() + ' ' + p(this.getHours()) + ':' + p(this.getMinutes()) + ':' + p(this.getSeconds()) +
        ' GMT' + (m < 0 ? '-' : '+') + p(Math.floor(a / 60)) + p(a % 60);
    }
  }
  var shifted = function (d) { return new R(d.getTime() + zone()); };
  ['FullYear','Month','Date','Day','Hours','Minutes','Seconds','Milliseconds'].forEach(function (k) {
    D.prototype['get' + k] = function () { return shifted(this)['getUTC' + k](); };
    if (k === 'Day') return;
    D.prototype['set' + k] = function (a, b, c, d) {
      var s = shifted(this);
      s['setUTC' + k].apply(s, arguments);
      return this.setTime(s.getTime() - zone());
    };
  });
  D.prototype.getYear = function () { return this.getFullYear() - 1900; };
  return D;
})`;

/** Replaces the context's Date with the virtual-time one. */
export function installDate(ctx: vm.Context, host: DateHost): void {
  const make = vm.runInContext(SHIM, ctx, { filename: 'sim:date' }) as (h: DateHost) => unknown;
  (ctx as Record<string, unknown>).Date = make(host);
}
