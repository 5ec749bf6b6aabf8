/**
 * Library code never writes to the console: it is handed a Logger. The CLI
 * decides where lines go (stderr, a file, nowhere in tests).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
};
