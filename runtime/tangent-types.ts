/** Leaves that carry no derivative: their tangent is `null`. */
type NonDifferentiable =
  | boolean
  | string
  | bigint
  | symbol
  | null
  | undefined
  | ((...args: never[]) => unknown)
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Keys of T whose values are not functions (methods have no tangent). */
type DataKeys<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T];

/** The tangent of a value of type T: same structure, `null` at non-differentiable leaves. */
export type Tangent<T> = [T] extends [void]
  ? undefined
  : T extends number
    ? number
    : T extends Float64Array
      ? Float64Array
      : T extends NonDifferentiable
        ? null
        : T extends readonly unknown[]
          ? { -readonly [K in keyof T]: Tangent<T[K]> }
          : T extends object
            ? { [K in DataKeys<T>]: Tangent<T[K]> }
            : never;

/** An input tangent: like `Tangent<T>`, but `null` anywhere means "not differentiated here". */
export type TangentIn<T> =
  | null
  | (T extends number
      ? number
      : T extends Float64Array
        ? Float64Array
        : T extends NonDifferentiable
          ? null
          : T extends readonly unknown[]
            ? { readonly [K in keyof T]: TangentIn<T[K]> }
            : T extends object
              ? { readonly [K in DataKeys<T>]: TangentIn<T[K]> }
              : never);
