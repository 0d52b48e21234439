/** The part of semantic-release's commit analyzer the release replay uses as its oracle. */
declare module '@semantic-release/commit-analyzer' {
  export function analyzeCommits(
    pluginConfig: Record<string, unknown>,
    context: { commits: { hash: string; message: string }[]; logger: { log(...args: unknown[]): void }; cwd: string },
  ): Promise<'major' | 'minor' | 'patch' | null>;
}
