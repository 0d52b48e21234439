/** Repository info, single commits and comparisons, read from the bare remote. */
import type { EmulatorCore as GitHubEmulator } from './core.js';
import { gitIn } from './routes-git.js';
import { error, nodeId, user } from './objects.js';

const URL_FIELDS = [
  'archive',
  'assignees',
  'blobs',
  'branches',
  'collaborators',
  'comments',
  'commits',
  'compare',
  'contents',
  'contributors',
  'deployments',
  'downloads',
  'events',
  'forks',
  'git_commits',
  'git_refs',
  'git_tags',
  'hooks',
  'issue_comment',
  'issue_events',
  'issues',
  'keys',
  'labels',
  'languages',
  'merges',
  'milestones',
  'notifications',
  'pulls',
  'releases',
  'stargazers',
  'statuses',
  'subscribers',
  'subscription',
  'tags',
  'teams',
  'trees',
];

/** The repository object (GET /repos/{owner}/{repo}; also a run's `repository`). */
export function repositoryJson(gh: GitHubEmulator) {
  const html = `https://github.com/${gh.owner}/${gh.repo}`;
  const created = '2026-01-01T00:00:00Z';
  const urls = Object.fromEntries(URL_FIELDS.map((f) => [`${f}_url`, `${gh.repoUrl}/${f.replace(/_/g, '/')}`]));
  return {
    ...urls,
    id: 1,
    node_id: nodeId('Repository', 1),
    name: gh.repo,
    full_name: gh.repository,
    owner: user(gh.url, gh.owner, 2),
    private: gh.isPrivate,
    visibility: gh.isPrivate ? 'private' : 'public',
    html_url: html,
    description: null,
    fork: false,
    url: gh.repoUrl,
    clone_url: `${html}.git`,
    git_url: `git://github.com/${gh.repository}.git`,
    ssh_url: `git@github.com:${gh.repository}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: gh.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: created,
    created_at: created,
    updated_at: created,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function registerRepoRoutes(gh: GitHubEmulator): void {
  const R = '/repos/{owner}/{repo}';
  const html = () => `https://github.com/${gh.owner}/${gh.repo}`;

  gh.repoRoute('GET', R, () => ({ status: 200, body: repositoryJson(gh) }));

  const commitJson = (sha: string) => {
    const raw = gitIn(gh.remote, [
      'show',
      '-s',
      '--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B',
      sha,
    ]);
    if (!raw) return undefined;
    const [tree = '', parents = '', an, ae, ad, cn, ce, cd, message = ''] = raw.split('\0');
    const iso = (d?: string) => new Date(d ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      url: `${gh.repoUrl}/commits/${sha}`,
      sha,
      node_id: nodeId('Commit', sha),
      html_url: `${html()}/commit/${sha}`,
      comments_url: `${gh.repoUrl}/commits/${sha}/comments`,
      commit: {
        url: `${gh.repoUrl}/git/commits/${sha}`,
        author: { name: an, email: ae, date: iso(ad) },
        committer: { name: cn, email: ce, date: iso(cd) },
        message: message.trimEnd(),
        comment_count: 0,
        tree: { sha: tree, url: `${gh.repoUrl}/git/trees/${tree}` },
      },
      author: null,
      committer: null,
      parents: parents
        .split(' ')
        .filter(Boolean)
        .map((p) => ({ sha: p, url: `${gh.repoUrl}/commits/${p}`, html_url: `${html()}/commit/${p}` })),
    };
  };
  const resolve = (ref: string) => gitIn(gh.remote, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);

  gh.repoRoute('GET', `${R}/commits/{ref}`, (req) => {
    const sha = resolve(req.params.ref as string);
    const json = sha ? commitJson(sha) : undefined;
    return json ? { status: 200, body: json } : error(404, 'No commit found for SHA: ' + req.params.ref);
  });

  gh.repoRoute('GET', `${R}/compare/{basehead}`, (req) => {
    const [base = '', head = ''] = String(req.params.basehead).split('...');
    const b = resolve(base);
    const h = resolve(head);
    if (!b || !h) return error(404, 'Not Found');
    const mergeBase = gitIn(gh.remote, ['merge-base', b, h]) ?? b;
    const ahead = (gitIn(gh.remote, ['rev-list', '--reverse', `${mergeBase}..${h}`]) ?? '').split('\n').filter(Boolean);
    const behind = Number(gitIn(gh.remote, ['rev-list', '--count', `${mergeBase}..${b}`]) ?? 0);
    const status = ahead.length && behind ? 'diverged' : ahead.length ? 'ahead' : behind ? 'behind' : 'identical';
    return {
      status: 200,
      body: {
        url: `${gh.repoUrl}/compare/${base}...${head}`,
        html_url: `${html()}/compare/${base}...${head}`,
        permalink_url: `${html()}/compare/${gh.owner}:${b.slice(0, 7)}...${gh.owner}:${h.slice(0, 7)}`,
        diff_url: `${html()}/compare/${base}...${head}.diff`,
        patch_url: `${html()}/compare/${base}...${head}.patch`,
        base_commit: commitJson(b),
        merge_base_commit: commitJson(mergeBase),
        status,
        ahead_by: ahead.length,
        behind_by: behind,
        total_commits: ahead.length,
        commits: gh.page(req, ahead).map((sha) => commitJson(sha)),
        files: [],
      },
    };
  });
}
