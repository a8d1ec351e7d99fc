/** Every file below `dir`, as paths relative to it with `/` separators. */
export function listFiles(dir: string, base?: string): string[];
/** The relative specifiers `code` uses (comments ignored), deduplicated. */
export function relativeSpecifiers(code: string): string[];
/** Problems of the unpacked package in `dir`, as sentences naming the file; empty when fit to install. */
export function checkPackedPackage(dir: string): string[];
/** Unpacks `tarball` into `into/<tarball name>/`; returns its `package/` folder. */
export function unpackTarball(tarball: string, into: string): string;
