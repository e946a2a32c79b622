// Tiny "--name value" argument reader shared by the sample traffic scripts.
export function args(argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
      else out[a.slice(2)] = argv[++i];
    } else {
      out._.push(a);
    }
  }
  return out;
}

/** Tells the parent (a test or record-samples.sh) that a server listens, on which port. */
export function ready(port) {
  process.stdout.write(`ready ${port}\n`);
}
