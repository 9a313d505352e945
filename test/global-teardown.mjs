// Jest global tear-down: stops the test PostgreSQL server and deletes its cluster.
export default async function stopTestPostgres() {
  await globalThis.socBridgeTestPostgres?.stop();
}
