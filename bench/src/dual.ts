/**
 * The dual-number baseline: what users write without tsjvp (JavaScript has no operator
 * overloading, so every operation is a method call). Written as carefully as a user would:
 * small immutable objects V8 can often keep in registers.
 */
export class Dual {
  constructor(readonly v: number, readonly d: number) {}
  static c(v: number): Dual {
    return new Dual(v, 0);
  }
  add(o: Dual): Dual {
    return new Dual(this.v + o.v, this.d + o.d);
  }
  sub(o: Dual): Dual {
    return new Dual(this.v - o.v, this.d - o.d);
  }
  mul(o: Dual): Dual {
    return new Dual(this.v * o.v, this.d * o.v + this.v * o.d);
  }
  div(o: Dual): Dual {
    const q = this.v / o.v;
    return new Dual(q, (this.d - q * o.d) / o.v);
  }
  scale(k: number): Dual {
    return new Dual(this.v * k, this.d * k);
  }
  addc(k: number): Dual {
    return new Dual(this.v + k, this.d);
  }
  neg(): Dual {
    return new Dual(-this.v, -this.d);
  }
  square(): Dual {
    return new Dual(this.v * this.v, 2 * this.v * this.d);
  }
  sin(): Dual {
    return new Dual(Math.sin(this.v), Math.cos(this.v) * this.d);
  }
  cos(): Dual {
    return new Dual(Math.cos(this.v), -Math.sin(this.v) * this.d);
  }
  tanh(): Dual {
    const t = Math.tanh(this.v);
    return new Dual(t, (1 - t * t) * this.d);
  }
  exp(): Dual {
    const e = Math.exp(this.v);
    return new Dual(e, e * this.d);
  }
  log(): Dual {
    return new Dual(Math.log(this.v), this.d / this.v);
  }
  sqrt(): Dual {
    const r = Math.sqrt(this.v);
    return new Dual(r, this.d / (2 * r));
  }
}
