// What Chromium received on the wire, per response, read from the DevTools protocol: the
// encoded (compressed) bytes including headers, the Content-Encoding, the status and whether the
// answer came from the browser's cache. Used by caching.spec.mjs and scripts/bench.mjs.

/**
 * Start recording `page`'s network. `take()` returns what finished since the last take():
 * [{ url, path, status, wireStatus, encoding, wireBytes, headerBytes, bodyBytes, fromCache, type }] in request
 * order; wireBytes = headerBytes + bodyBytes, all as received (compressed), 0 from the cache.
 */
export async function recordWire(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map();
  let order = [];
  const entry = (id) => {
    if (!byId.has(id)) {
      const e = { id, url: null, status: null, wireStatus: null, encoding: null, wireBytes: 0, headerBytes: 0, bodyBytes: 0, fromCache: false, done: false, type: null };
      byId.set(id, e);
      order.push(e);
    }
    return byId.get(id);
  };
  cdp.on('Network.requestWillBeSent', (e) => {
    const x = entry(e.requestId);
    x.url = e.request.url;
    x.type = e.type ?? null;
  });
  cdp.on('Network.requestServedFromCache', (e) => { entry(e.requestId).fromCache = true; });
  cdp.on('Network.responseReceived', (e) => {
    const x = entry(e.requestId);
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    x.url = e.response.url;
    x.status = e.response.status;
    x.encoding = headers['content-encoding'] ?? null;
    x.fromCache ||= Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache);
    x.headerBytes = e.response.encodedDataLength ?? 0;
  });
  // The status that crossed the network: a revalidated answer is reported above as the cached
  // 200, here as the 304 the server sent.
  cdp.on('Network.responseReceivedExtraInfo', (e) => { entry(e.requestId).wireStatus = e.statusCode; });
  cdp.on('Network.loadingFinished', (e) => {
    const x = entry(e.requestId);
    x.wireBytes = x.fromCache ? 0 : e.encodedDataLength;
    x.bodyBytes = Math.max(0, x.wireBytes - x.headerBytes);
    x.done = true;
  });
  cdp.on('Network.loadingFailed', (e) => { entry(e.requestId).done = true; });
  return {
    /** Everything recorded so far that has finished (unfinished ones stay for the next take). */
    take() {
      const done = order.filter((x) => x.done && x.url && !x.url.startsWith('data:'));
      order = order.filter((x) => !x.done);
      for (const x of done) byId.delete(x.id);
      return done.map(({ id, done: _, ...x }) => ({ ...x, path: new URL(x.url).pathname }));
    },
    detach: () => cdp.detach(),
  };
}

/** Sum of the bytes that crossed the network. */
export const wireTotal = (rows) => rows.reduce((s, r) => s + r.wireBytes, 0);
