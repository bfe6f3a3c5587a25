// N concurrent uploads with tus-js-client (as browsers and React Native apps send them), each SIZE bytes
// in CHUNK-byte PATCHes. Prints one JSON line: uploads, bytes, seconds, MiB/s.
// Usage: node load.mjs URL N SIZE CHUNK [TOKEN]
import * as tus from 'tus-js-client';
import crypto from 'node:crypto';

const [url, n, size, chunk, token] = process.argv.slice(2);
const body = crypto.randomBytes(Number(size));
const headers = token ? { Authorization: `Bearer ${token}` } : {};

function one(i) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(body, {
      endpoint: `${url}/files/`,
      chunkSize: Number(chunk),
      headers,
      retryDelays: [200, 500, 1000, 2000],
      metadata: { filename: `load-${i}.bin`, clientClipId: `load-${process.pid}-${i}` },
      onSuccess: resolve,
      onError: reject,
    });
    upload.start();
  });
}

const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: Number(n) }, (_, i) => one(i)));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const bytes = Number(n) * Number(size);
console.log(JSON.stringify({ uploads: Number(n), bytes, seconds, mibPerSecond: bytes / 1048576 / seconds }));
