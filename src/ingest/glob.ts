/**
 * Minimal glob → RegExp for workspace-relative, '/'-separated paths: `**` (any number of folders),
 * `*` and `?` (within one segment), `{a,b}` alternatives. The same dialect VS Code's globs use for
 * these forms, so one set of patterns serves the extension (findFiles) and the CLI (fs walk).
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        const atSegmentEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atSegmentStart && atSegmentEnd) {
          // '**/' matches zero or more whole folders; a trailing '**' matches everything below.
          re += i + 2 === glob.length ? '.*' : '(?:[^/]+/)*';
          i += 2;
          continue;
        }
      }
      re += '[^/]*';
      while (glob[i + 1] === '*') i++;
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) {
        re += '\\{';
        continue;
      }
      re += '(?:' + glob.slice(i + 1, close).split(',').map((part) => globToRegExp(part).source.slice(1, -1)).join('|') + ')';
      i = close;
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

export function matchesAny(relativePath: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(relativePath));
}
