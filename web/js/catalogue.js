// The curriculum (chapters and their KPs), read once per page load: KP names for paths,
// goal choices and search. Catalogue endpoints are readable by every caller.

import { api, enc } from "./api.js";

let loading = null;

export function catalogue() {
  loading ??= (async () => {
    const chapters = await api("/chapters?page_size=100", { shared: true });
    const maps = await Promise.all(chapters.map((c) => api(`/chapters/${enc(c.id)}/map`,
      { shared: true })));
    const kps = new Map();
    maps.forEach((m, i) => m.kps.filter((k) => !k.external)
      .forEach((k) => kps.set(k.id, { ...k, chapter: chapters[i].name })));
    return { chapters, kps };
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

export async function kpName(id) {
  const { kps } = await catalogue();
  return kps.get(id)?.name || id;
}
