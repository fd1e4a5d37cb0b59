/**
 * Exact rational arithmetic for scoring (BigInt numerator/denominator). Inputs are decimal
 * numbers as people type them (3.2, 0.4); they are read through their shortest decimal string,
 * so 3.2 is exactly 32/10 and no binary floating-point error enters a score. The only rounding
 * is `toThousandths` (half-up, i.e. half away from zero) at the end of each scoring rule.
 */
export class Dec {
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static readonly ZERO = new Dec(0n, 1n);
  static readonly ONE = new Dec(1n, 1n);

  static ratio(n: bigint, d: bigint): Dec {
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n < 0n ? -n : n, d);
    return g > 1n ? new Dec(n / g, d / g) : new Dec(n, d);
  }

  static int(n: number): Dec {
    return new Dec(BigInt(n), 1n);
  }

  /** A finite JS number, read through its shortest decimal representation. */
  static of(x: number): Dec {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    // An integer's shortest decimal string has no fraction or exponent below 2^53: the same value.
    if (Number.isSafeInteger(x)) return new Dec(BigInt(x), 1n);
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
    if (!m) throw new RangeError(`unreadable number: ${x}`);
    const [, sign, int, frac = '', exp = '0'] = m;
    const digits = BigInt(`${sign}${int}${frac}`);
    const scale = Number(exp) - frac.length;
    return scale >= 0
      ? Dec.ratio(digits * 10n ** BigInt(scale), 1n)
      : Dec.ratio(digits, 10n ** BigInt(-scale));
  }

  /** An integer count of thousandths as a value (1234 → 1.234). */
  static thousandths(t: number): Dec {
    return Dec.ratio(BigInt(t), 1000n);
  }

  add(o: Dec): Dec {
    return Dec.ratio(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Dec): Dec {
    return Dec.ratio(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Dec): Dec {
    return Dec.ratio(this.n * o.n, this.d * o.d);
  }
  div(o: Dec): Dec {
    return Dec.ratio(this.n * o.d, this.d * o.n);
  }
  cmp(o: Dec): -1 | 0 | 1 {
    const l = this.n * o.d;
    const r = o.n * this.d;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  lt(o: Dec): boolean {
    return this.cmp(o) < 0;
  }
  gte(o: Dec): boolean {
    return this.cmp(o) >= 0;
  }
  isZero(): boolean {
    return this.n === 0n;
  }
  abs(): Dec {
    return this.n < 0n ? new Dec(-this.n, this.d) : this;
  }
  static min(a: Dec, b: Dec): Dec {
    return a.cmp(b) <= 0 ? a : b;
  }
  static max(a: Dec, b: Dec): Dec {
    return a.cmp(b) >= 0 ? a : b;
  }
  static clamp(x: Dec, lo: Dec, hi: Dec): Dec {
    return Dec.min(Dec.max(x, lo), hi);
  }

  /** The greatest integer ≤ this. */
  floor(): bigint {
    const q = this.n / this.d;
    return this.n < 0n && q * this.d !== this.n ? q - 1n : q;
  }

  /** Rounds to an integer number of thousandths, half away from zero (0.0005 → 1, −0.0005 → −1). */
  toThousandths(): number {
    const neg = this.n < 0n;
    const a = neg ? -this.n : this.n;
    const t = (a * 2000n + this.d) / (2n * this.d);
    return Number(neg ? -t : t);
  }

  /** For traces: a number when exact within 12 decimals, else a fraction string ("1/3"). */
  toJSON(): number | string {
    if ((this.n * 10n ** 12n) % this.d !== 0n) return `${this.n}/${this.d}`;
    const neg = this.n < 0n;
    const scaled = ((neg ? -this.n : this.n) * 10n ** 12n) / this.d;
    const s = scaled.toString().padStart(13, '0');
    return Number(`${neg ? '-' : ''}${s.slice(0, -12)}.${s.slice(-12)}`);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** Thousandths → hundredths, half away from zero (85.125 → 85.13; 85.124 → 85.12). */
export function thousandthsToHundredths(t: number): number {
  const sign = t < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(t) + 5) / 10);
}

/** An integer number of thousandths as a JS number for display (1234 → 1.234). */
export const fromThousandths = (t: number): number => t / 1000;
/** An integer number of hundredths as a JS number for display (8513 → 85.13). */
export const fromHundredths = (h: number): number => h / 100;
