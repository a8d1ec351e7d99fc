// Minimal types for the parts of cli-progress 3.12 this package uses (it ships no typings).
declare module 'cli-progress' {
  interface BarOptions {
    stream?: NodeJS.WritableStream;
    format?: string;
    hideCursor?: boolean;
    etaBuffer?: number;
  }
  class SingleBar {
    constructor(options: BarOptions, preset?: object);
    start(total: number, start: number, payload?: Record<string, string | number>): void;
    update(value: number, payload?: Record<string, string | number>): void;
    stop(): void;
  }
  const Presets: { shades_classic: object };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
