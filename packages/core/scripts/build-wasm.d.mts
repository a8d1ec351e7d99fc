/** The generated TypeScript source (a base64 constant) for one `.wat` file of `src/wasm/`. */
export function generate(watFile: string): Promise<string>;
