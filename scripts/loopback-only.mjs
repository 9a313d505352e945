// Preloaded into the Agents Playground by scripts/playground.mjs (`node --import`). The Playground
// has no option for its listen address and calls `listen(port)`, which binds every interface, so
// anyone on the network could use it, and act as the sandbox's bootstrap admin. Here a server
// given a port but no host listens on 127.0.0.1 instead: the Playground serves this computer only.
import net from 'node:net';

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (args[1] === undefined || args[1] === null) args[1] = LOOPBACK;
    else if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (first && typeof first === 'object' && 'port' in first && !first.host) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return listen.apply(this, args);
};
