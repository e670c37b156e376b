/**
 * The jax-js baseline (JAX's API in JavaScript: tracing, jvp, jit, Wasm kernels, float64), for
 * the cases its array API can express. jit is on, as its users would run it; the timing includes
 * reading the result back into JavaScript (dataSync). Arrays are reference-counted in jax-js:
 * `.ref` keeps an input alive across calls.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Jax = any;

let jax: Jax;

export async function loadJax(): Promise<boolean> {
  try {
    (globalThis as any).Float16Array ??= class Float16Array extends Uint16Array {};
    jax = await (new Function("s", "return import(s)") as (s: string) => Promise<Jax>)("@jax-js/jax");
    await jax.init("wasm");
    return true;
  } catch (error) {
    console.error(`jax-js unavailable: ${(error as Error).message}`);
    return false;
  }
}

const f64 = (xs: ArrayLike<number>) => jax.numpy.array(Float64Array.from(xs), { dtype: jax.numpy.float64 });

/** Runs `calls` JVPs of the tiny tutorial function; the harness scales the time to `n` calls. */
export function tutorialFirst(calls: number): () => Float64Array {
  const np = jax.numpy;
  const f = (x: any) => np.stack([np.square(x.ref.slice(0)), np.multiply(x.ref.slice(0), x.slice(1))]);
  const g = jax.jit((x: any, v: any) => jax.jvp(f, [x], [v]));
  const x = f64([2, 3]);
  const v = f64([1, 0.5]);
  return () => {
    let t: Float64Array = new Float64Array(2);
    for (let i = 0; i < calls; i++) t = g(x.ref, v.ref)[1].dataSync();
    return t;
  };
}

export function tutorialSecond(calls: number): () => Float64Array {
  const np = jax.numpy;
  const predict = (params: any, inputs: any) => np.add(np.dot(inputs, params.w), params.b);
  const g = jax.jit((params: any, dParams: any, inputs: any) => jax.jvp((p: any) => predict(p, inputs), [params], [dParams]));
  const params = { w: np.array([[1, 2], [3, 4]], { dtype: np.float64 }), b: f64([0.1, -0.1]) };
  const dParams = { w: np.ones([2, 2], { dtype: np.float64 }), b: np.zeros([2], { dtype: np.float64 }) };
  const inputs = f64([10, 20]);
  return () => {
    let t: Float64Array = new Float64Array(2);
    const ref = (p: any) => ({ w: p.w.ref, b: p.b.ref });
    for (let i = 0; i < calls; i++) t = g(ref(params), ref(dParams), inputs.ref)[1].dataSync();
    return t;
  };
}

/** Rosenbrock's function of n variables in jax-js's array API. */
function rosenbrockOf(n: number): (z: any) => any {
  const np = jax.numpy;
  return (z: any) => {
    const head = z.ref.slice([0, n - 1]);
    const tail = z.slice([1, n]);
    const a = np.subtract(tail, np.square(head.ref));
    const b = np.subtract(1, head);
    return np.sum(np.add(np.multiply(100, np.square(a)), np.square(b)));
  };
}

export function rosenbrock(x: Float64Array, v: Float64Array): () => Float64Array {
  const f = rosenbrockOf(x.length);
  const g = jax.jit((z: any, dz: any) => jax.jvp(f, [z], [dz]));
  const xs = f64(x);
  const vs = f64(v);
  return () => g(xs.ref, vs.ref)[1].dataSync();
}

export function denseParams(W: Float64Array, b: Float64Array, dW: Float64Array, db: Float64Array, x: Float64Array): () => Float64Array {
  const np = jax.numpy;
  const n = b.length;
  const f = (Wm: any, bv: any, xv: any) => np.tanh(np.add(np.dot(Wm, xv), bv));
  const g = jax.jit((Wm: any, bv: any, dWm: any, dbv: any, xv: any) => jax.jvp((a: any, c: any) => f(a, c, xv), [Wm, bv], [dWm, dbv]));
  const Wj = f64(W).reshape([n, x.length]);
  const dWj = f64(dW).reshape([n, x.length]);
  const bj = f64(b);
  const dbj = f64(db);
  const xj = f64(x);
  return () => g(Wj.ref, bj.ref, dWj.ref, dbj.ref, xj.ref)[1].dataSync();
}

export function denseX(W: Float64Array, b: Float64Array, x: Float64Array, dx: Float64Array): () => Float64Array {
  const np = jax.numpy;
  const n = b.length;
  const g = jax.jit((Wm: any, bv: any, xv: any, dxv: any) => jax.jvp((z: any) => np.tanh(np.add(np.dot(Wm, z), bv)), [xv], [dxv]));
  const Wj = f64(W).reshape([n, x.length]);
  const bj = f64(b);
  const xj = f64(x);
  const dxj = f64(dx);
  return () => g(Wj.ref, bj.ref, xj.ref, dxj.ref)[1].dataSync();
}

/**
 * jit(jacfwd) of the dense layer with respect to x, as an m×n row-major Float64Array. (jax-js 0.1.25
 * lays the Jacobian out input-major, n×m, where JAX gives m×n: transposed here, inside the timing.)
 */
export function denseJacobian(W: Float64Array, b: Float64Array, x: Float64Array): () => Float64Array {
  const np = jax.numpy;
  const m = b.length;
  const n = x.length;
  const Wj = f64(W).reshape([m, n]);
  const bj = f64(b);
  const g = jax.jit((xv: any) => jax.jacfwd((z: any) => np.tanh(np.add(np.dot(Wj.ref, z), bj.ref)))(xv));
  const xj = f64(x);
  return () => {
    const t = g(xj.ref).dataSync() as Float64Array;
    const J = new Float64Array(m * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) J[i * n + j] = t[j * m + i];
    return J;
  };
}

/** jit(hessian) of Rosenbrock's function, n×n (symmetric: no transpose needed). */
export function rosenbrockHessian(x: Float64Array): () => Float64Array {
  const f = rosenbrockOf(x.length);
  const g = jax.jit((z: any) => jax.hessian(f)(z));
  const xs = f64(x);
  return () => g(xs.ref).dataSync() as Float64Array;
}
