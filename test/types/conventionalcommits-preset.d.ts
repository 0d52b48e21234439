/** The part of the conventionalcommits preset the header oracle uses: its parser options. */
declare module 'conventional-changelog-conventionalcommits' {
  export default function createPreset(config?: Record<string, unknown>): Promise<{ parser: Record<string, unknown> }>;
}
