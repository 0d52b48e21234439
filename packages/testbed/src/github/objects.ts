/** Builders for the objects GitHub returns, with every field its schema requires. */

export function user(base: string, login = 'github-actions[bot]', id = 41898282) {
  const url = `${base}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: `MDM6Qm90${id}`,
    avatar_url: `https://avatars.githubusercontent.com/in/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: login.endsWith('[bot]') ? `https://github.com/apps/${login.slice(0, -5)}` : `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'Bot',
    site_admin: false,
  };
}

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64');
}

export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function error(status: number, message: string, errors?: object[]) {
  return {
    status,
    body: { message, documentation_url: 'https://docs.github.com/rest', ...(errors ? { errors } : {}) },
  };
}

export function validationFailed(message: string, errors: object[] = []) {
  return error(422, message, errors);
}
