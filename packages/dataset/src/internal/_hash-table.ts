// Open-addressing hash tables over typed arrays, keyed by the 64-bit hash left in `hashHi`/`hashLo`
// by `hash64`. Linear probing; any capacity (the start slot is hi · capacity / 2³², so no power of
// two is needed); grown ×1.5 above a 0.7 load factor, or sized once ahead with `reserve`. Memory:
// 8 bytes per slot for `HashSet64` (about 11–17 bytes per key), 21 bytes per slot for `GroupTable`.

import { hashHi, hashLo } from "./_hash64.js";

const MAX_LOAD = 0.7;
const INITIAL_CAPACITY = 1024;
const TWO_32 = 4294967296;

function capacityFor(keys: number): number {
  return Math.max(INITIAL_CAPACITY, Math.ceil(keys / MAX_LOAD) + 1);
}

/**
 * Slot of the current hash (`hashHi`, `hashLo`) in `keys`: where it is, or the empty slot (0, 0) where
 * it goes. Linear probing from hi · capacity / 2³². A real hash of (0, 0) would read as empty
 * (probability 2⁻⁶⁴).
 */
function probe(keys: Uint32Array, capacity: number, scale: number): number {
  const hi = hashHi;
  const lo = hashLo;
  let i = Math.floor(hi * scale);
  for (;;) {
    const khi = keys[2 * i]!;
    const klo = keys[2 * i + 1]!;
    if ((khi === hi && klo === lo) || (khi === 0 && klo === 0)) return i;
    if (++i === capacity) i = 0;
  }
}

/** Set of 64-bit hashes. */
export class HashSet64 {
  private keys = new Uint32Array(INITIAL_CAPACITY * 2);
  private capacity = INITIAL_CAPACITY;
  private scale = INITIAL_CAPACITY / TWO_32;
  private limit = Math.floor(INITIAL_CAPACITY * MAX_LOAD);
  /** Number of distinct keys held. */
  size = 0;

  /** Make room for `keys` keys in total, so that no growth happens before. */
  reserve(keys: number): void {
    if (keys > this.limit) this.resize(capacityFor(keys));
  }

  /** Add the current hash (`hashHi`, `hashLo`); false when it was already present. */
  addCurrent(): boolean {
    const keys = this.keys;
    const i = probe(keys, this.capacity, this.scale);
    if (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0) return false;
    keys[2 * i] = hashHi;
    keys[2 * i + 1] = hashLo;
    if (++this.size > this.limit) this.resize(Math.ceil(this.capacity * 1.5));
    return true;
  }

  private resize(capacity: number): void {
    const old = this.keys;
    const keys = new Uint32Array(capacity * 2);
    const scale = capacity / TWO_32;
    for (let j = 0; j < old.length; j += 2) {
      const hi = old[j]!;
      const lo = old[j + 1]!;
      if (hi === 0 && lo === 0) continue;
      let i = Math.floor(hi * scale);
      while (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0) if (++i === capacity) i = 0;
      keys[2 * i] = hi;
      keys[2 * i + 1] = lo;
    }
    this.keys = keys;
    this.capacity = capacity;
    this.scale = scale;
    this.limit = Math.floor(capacity * MAX_LOAD);
  }
}

/**
 * Per-group counters keyed by the hash of the group id: example count, first reward, and whether all
 * rewards of the group so far are equal (exactly, as doubles).
 */
export class GroupTable {
  private keys = new Uint32Array(INITIAL_CAPACITY * 2);
  private counts = new Uint32Array(INITIAL_CAPACITY);
  private firsts = new Float64Array(INITIAL_CAPACITY);
  private equal = new Uint8Array(INITIAL_CAPACITY);
  private capacity = INITIAL_CAPACITY;
  private scale = INITIAL_CAPACITY / TWO_32;
  private limit = Math.floor(INITIAL_CAPACITY * MAX_LOAD);
  /** Number of distinct groups. */
  size = 0;

  /** Count one example with `reward` for the group whose hash is current; returns the group's new size. */
  addCurrent(reward: number): number {
    const keys = this.keys;
    const i = probe(keys, this.capacity, this.scale);
    if (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0) {
      const c = this.counts[i]! + 1;
      this.counts[i] = c;
      if (this.firsts[i] !== reward) this.equal[i] = 0;
      return c;
    }
    keys[2 * i] = hashHi;
    keys[2 * i + 1] = hashLo;
    this.counts[i] = 1;
    this.firsts[i] = reward;
    this.equal[i] = 1;
    if (++this.size > this.limit) this.resize(Math.ceil(this.capacity * 1.5));
    return 1;
  }

  /** Visit every group: its size and whether all its rewards are equal. */
  forEach(visit: (size: number, allEqual: boolean) => void): void {
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c > 0) visit(c, this.equal[i] === 1);
    }
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldFirsts = this.firsts;
    const oldEqual = this.equal;
    const scale = capacity / TWO_32;
    const keys = new Uint32Array(capacity * 2);
    const counts = new Uint32Array(capacity);
    const firsts = new Float64Array(capacity);
    const equal = new Uint8Array(capacity);
    for (let j = 0; j < oldCounts.length; j++) {
      if (oldCounts[j] === 0) continue;
      const hi = oldKeys[2 * j]!;
      const lo = oldKeys[2 * j + 1]!;
      let i = Math.floor(hi * scale);
      while (counts[i] !== 0) if (++i === capacity) i = 0;
      keys[2 * i] = hi;
      keys[2 * i + 1] = lo;
      counts[i] = oldCounts[j]!;
      firsts[i] = oldFirsts[j]!;
      equal[i] = oldEqual[j]!;
    }
    this.keys = keys;
    this.counts = counts;
    this.firsts = firsts;
    this.equal = equal;
    this.capacity = capacity;
    this.scale = scale;
    this.limit = Math.floor(capacity * MAX_LOAD);
  }
}
