// PostGraphile 5 (grafast) calls Promise.withResolvers, which Node.js has from version 22; loaded with `node -r` in
// the PostGraphile 5 process only, so that nothing else the bench runs sees a changed Promise.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
