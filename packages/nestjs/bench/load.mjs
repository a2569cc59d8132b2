// One autocannon run in its own process, so the load generator does not share the server's
// event loop: argv is url, authorization header, seconds; prints requests per second as JSON.
import autocannon from 'autocannon';

const [url, authorization, seconds] = process.argv.slice(2);
const result = await autocannon({ url, connections: 20, duration: Number(seconds), headers: { authorization } });
if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
process.stdout.write(JSON.stringify({ requestsPerSecond: result.requests.average }));
