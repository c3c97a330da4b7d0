// What the peers' processes share with the bench's other children (bench/api-serve.ts): configured through the
// environment, the port reported over IPC, stopped by the IPC message 'stop', when the channel closes or on SIGTERM.

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function serveUntilStopped(server, close) {
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5_000).unref();
    server.closeAllConnections();
    server.close(() => {
      Promise.resolve(close()).finally(() => process.exit(code));
    });
  };
  process.on('message', (message) => {
    if (message && message.type === 'stop') stop(0);
  });
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    if (process.send) process.send({ port });
  });
}

module.exports = { required, serveUntilStopped };
