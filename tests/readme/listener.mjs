// A connected client for test_realtime_send_from_server_reaches_client (test_readme.py): joins
// the channels the README's server-side realtime example sends to, prints READY once the
// server lists it as a member of each, then prints `HEARD <json>` with the events it received
// and exits, as soon as it has heard every expected event or after README_LISTEN_SECONDS.
// AGNOST_ENV_URL and AGNOST_CLIENT_KEY name the server, as for the interop tests.

import { createClient } from "altogic";

const client = createClient(process.env.AGNOST_ENV_URL, process.env.AGNOST_CLIENT_KEY);
const CHANNELS = ["room1", "todos"];
const EXPECTED = ["chat", "notice", "created"];
const LISTEN_MS = Number(process.env.README_LISTEN_SECONDS || "5") * 1000;

const heard = [];
let readyAt = null;

function finish() {
  console.log(`HEARD ${JSON.stringify(heard)}`);
  process.exit(0);
}

for (const event of EXPECTED) {
  client.realtime.on(event, (payload) => {
    heard.push({ event, payload });
    if (readyAt && EXPECTED.every((name) => heard.some((entry) => entry.event === name))) finish();
  });
}
for (const channel of CHANNELS) client.realtime.join(channel);

const deadline = Date.now() + 20_000;
for (;;) {
  const id = client.realtime.getSocketId();
  const lists = await Promise.all(CHANNELS.map((channel) => client.realtime.getMembers(channel)));
  if (id && lists.every(({ data }) => (data || []).some((member) => member.id === id))) break;
  if (Date.now() > deadline) {
    console.error(`not a member of ${CHANNELS} after 20 s: ${JSON.stringify(lists)}`);
    process.exit(2);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
readyAt = Date.now();
console.log("READY");
setTimeout(finish, LISTEN_MS);
