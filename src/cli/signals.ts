/**
 * Ctrl-C for long-running commands: the first SIGINT or SIGTERM asks to
 * stop gently, the second to stop at once, and later ones are ignored.
 */

/** Listens for the two signals; returns a function that stops listening. */
export function onInterrupt(first: () => void, second: () => void): () => void {
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) first();
    else if (signals === 2) second();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
