// The demo page: auth, todos that update live, an upload with progress, and a chat with
// presence, all through the public API of the altogic 2.3.9 browser client (global `altogic`).
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("demo-config").textContent);
  const $ = (selector) => document.querySelector(selector);
  // The data module's change events, published by project/todos/agnost_hooks.py to each
  // owner's private channel.
  const TODO_EVENTS = ["create", "update", "delete"];

  let client = altogic.createClient(config.envUrl, config.clientKey);
  let realtime = null;
  let user = null;
  let sessionId = null; // the public id of our session (user events carry it, not the token)
  let editingId = null;
  let reloadTimer = null;
  const members = new Map(); // socket id -> profile

  // Status line -----------------------------------------------------------------------------

  function showStatus(text, kind = "error") {
    const status = $("#status");
    status.textContent = text;
    status.className = `status ${kind}`;
    status.hidden = !text;
  }

  function describe(errors) {
    const items = (errors.items || []).map((item) => item.message || item.code).filter(Boolean);
    return items.join(" ") || `${errors.status} ${errors.statusText || ""}`.trim();
  }

  // Runs one client call. API errors come back as `errors`; a network failure rejects, and so
  // does a cross-origin call the server does not allow (the browser hides its response).
  async function call(what, action) {
    try {
      const result = await action();
      if (result && result.errors) {
        showStatus(`${what}: ${describe(result.errors)}`);
        return null;
      }
      return result || {};
    } catch (error) {
      const reason = (error && (error.message || error.type)) || String(error);
      showStatus(`${what}: the API at ${config.envUrl} could not be reached (${reason}). ` +
        "A page on another origin can call it only if the client key allows that origin.");
      return null;
    }
  }

  function element(tag, props = {}, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  }

  function displayName(someone) {
    return someone.name || (someone.email || "").split("@")[0] || "someone";
  }

  // Auth ------------------------------------------------------------------------------------

  async function authenticate(action, email, password) {
    const signUp = action === "signup";
    const result = await call(signUp ? "Sign-up" : "Sign-in", () =>
      signUp ? client.auth.signUpWithEmail(email, password) : client.auth.signInWithEmail(email, password));
    if (!result) return;
    if (!result.session) {
      showStatus("Check your mailbox to confirm the address, then sign in.", "info");
      return;
    }
    start(result.user, result.session);
  }

  function start(signedIn, session) {
    user = signedIn;
    sessionId = session && session.id;
    showStatus("");
    $("#who-email").textContent = signedIn.email || displayName(signedIn);
    $("#who").hidden = false;
    $("#auth").hidden = true;
    $("#app").hidden = false;
    connectRealtime();
    loadTodos();
  }

  function stop() {
    if (realtime) realtime.close();
    realtime = null;
    user = null;
    sessionId = null;
    editingId = null;
    members.clear();
    client.auth.clearLocalData();
    // A new client: the next user's realtime handshake must carry the next session.
    client = altogic.createClient(config.envUrl, config.clientKey);
    $("#todo-list").replaceChildren();
    $("#messages").replaceChildren();
    $("#members").replaceChildren();
    $("#preview").hidden = true;
    setProgress(0);
    $("#who").hidden = true;
    $("#app").hidden = true;
    $("#auth").hidden = false;
  }

  async function signOut() {
    const signingOut = sessionId;
    await call("Sign-out", () => client.auth.signOut());
    // The user:signout event may have stopped us already, and the user signed in again
    // before this answer came: that new session stays.
    if (sessionId === signingOut) stop();
  }

  // Realtime --------------------------------------------------------------------------------

  const todoChannel = () => `private-user-${user._id}`;

  function connectRealtime() {
    // First use of client.realtime: its handshake carries the session signed in just now,
    // which the private channel of the user's todos needs.
    realtime = client.realtime;
    const live = $("#live");
    realtime.onConnect(() => { live.textContent = "live"; live.classList.add("on"); });
    realtime.onDisconnect(() => { live.textContent = "offline"; live.classList.remove("on"); });
    realtime.onError((error) => {
      const item = error && error.data;
      showStatus(`Realtime: ${(item && (item.message || item.code)) || (error && error.message) || "connection refused"}`);
    });
    realtime.on("agnost:error", ({ event, errors }) =>
      showStatus(`Realtime ${event}: ${(errors || []).map((e) => e.message || e.code).join(" ")}`));
    realtime.onUserEvent((event, session) => {
      if (event === "user:signout" && session && session.id === sessionId) stop(); // signed out elsewhere
    });

    realtime.updateProfile({ name: displayName(user), userId: user._id });
    realtime.join(todoChannel());
    realtime.join(config.chatChannel);

    for (const event of TODO_EVENTS) {
      realtime.on(event, ({ channel }) => { if (user && channel === todoChannel()) scheduleReload(); });
    }
    realtime.on("chat", ({ channel, message }) => { if (channel === config.chatChannel) addMessage(message); });
    realtime.onJoin(({ channel, message }) => {
      if (channel !== config.chatChannel) return;
      if (message.id === realtime.getSocketId()) refreshMembers(); // we are in: who else is?
      else { members.set(message.id, message.data); renderMembers(); }
    });
    realtime.onUpdate(({ channel, message }) => {
      if (channel === config.chatChannel) { members.set(message.id, message.data); renderMembers(); }
    });
    realtime.onLeave(({ channel, message }) => {
      if (channel === config.chatChannel) { members.delete(message.id); renderMembers(); }
    });
  }

  // Todos -----------------------------------------------------------------------------------

  const todos = () => client.db.model("todos");

  function scheduleReload() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(loadTodos, 50);
  }

  async function loadTodos() {
    if (!user) return;
    const result = await call("Loading todos", () => todos().sort("created_at", "asc").limit(100).get());
    if (result && user) renderTodos(result.data || []);
  }

  function renderTodos(items) {
    const list = $("#todo-list");
    const draft = editingId && list.querySelector(`li[data-id="${editingId}"] input.edit-title`);
    const draftValue = draft ? draft.value : null;
    list.replaceChildren(...items.map((todo) => todoItem(todo, todo._id === editingId ? draftValue : null)));
    const open = items.filter((todo) => !todo.done).length;
    $("#todo-count").textContent = items.length ? `${open} open of ${items.length}` : "";
    if (!items.some((todo) => todo._id === editingId)) editingId = null;
  }

  function todoItem(todo, draft) {
    const item = element("li", { className: todo.done ? "done" : "" });
    item.dataset.id = todo._id;
    const done = element("input", { type: "checkbox", checked: todo.done, className: "toggle" });
    done.setAttribute("aria-label", `Done: ${todo.title}`);
    done.addEventListener("change", () => changeTodo(todo._id, { done: done.checked }));
    const remove = element("button", { type: "button", className: "ghost delete", textContent: "Delete" });
    remove.addEventListener("click", () => deleteTodo(todo._id));

    if (todo._id === editingId) {
      const input = element("input", { className: "edit-title", value: draft ?? todo.title, maxLength: 200 });
      input.setAttribute("aria-label", "Title");
      const save = element("button", { type: "submit", className: "save", textContent: "Save" });
      const cancel = element("button", { type: "button", className: "ghost cancel", textContent: "Cancel" });
      const form = element("form", { className: "edit" }, input, save, cancel);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        editingId = null;
        changeTodo(todo._id, { title: input.value.trim() || todo.title });
      });
      cancel.addEventListener("click", () => { editingId = null; loadTodos(); });
      input.addEventListener("keydown", (event) => { if (event.key === "Escape") cancel.click(); });
      item.append(done, form, remove);
      queueMicrotask(() => input.focus());
    } else {
      const title = element("span", { className: "title", textContent: todo.title });
      const edit = element("button", { type: "button", className: "ghost edit", textContent: "Edit" });
      edit.addEventListener("click", () => { editingId = todo._id; loadTodos(); });
      title.addEventListener("dblclick", () => edit.click());
      item.append(done, title, edit, remove);
    }
    return item;
  }

  async function createTodo(title) {
    if (await call("Adding the todo", () => todos().create({ title }))) loadTodos();
  }

  async function changeTodo(id, values) {
    await call("Saving the todo", () => todos().object(id).update(values));
    loadTodos(); // also after a refusal: show the stored state again
  }

  async function deleteTodo(id) {
    if (await call("Deleting the todo", () => todos().object(id).delete())) loadTodos();
  }

  // Upload ----------------------------------------------------------------------------------

  function setProgress(percent) {
    $("#upload-progress").value = percent;
    $("#upload-percent").textContent = `${percent}%`;
  }

  async function upload(file) {
    setProgress(0);
    $("#preview").hidden = true;
    const result = await call("Upload", () => client.storage.bucket(config.bucket).upload(`${user._id}/${file.name}`, file, {
      isPublic: true,
      onProgress: (loaded, total, percent) => setProgress(percent),
    }));
    if (!result) return;
    const stored = result.data;
    const image = $("#preview-img");
    image.src = stored.publicPath;
    $("#preview-caption").textContent =
      `${stored.fileName} · ${(stored.size / 1024).toFixed(1)} KB · ${stored.mimeType}`;
    $("#preview").hidden = false;
  }

  // Chat ------------------------------------------------------------------------------------

  async function refreshMembers() {
    const result = await call("Loading who is here", () => realtime.getMembers(config.chatChannel));
    if (!result || !realtime) return;
    members.clear();
    for (const member of result.data || []) members.set(member.id, member.data);
    renderMembers();
  }

  function renderMembers() {
    const me = realtime && realtime.getSocketId();
    const entries = [...members.entries()].sort(([a], [b]) => (a === me ? -1 : b === me ? 1 : 0));
    $("#members").replaceChildren(...entries.map(([id, data]) =>
      element("li", { className: id === me ? "me" : "", textContent: (data && data.name) || "anonymous" })));
  }

  function addMessage(message) {
    if (!message || typeof message.text !== "string") return;
    const time = new Date(message.at || Date.now()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const list = $("#messages");
    list.append(element("li", {},
      element("strong", { textContent: message.name || "someone" }), " ",
      element("span", { className: "text", textContent: message.text }), " ",
      element("time", { textContent: time })));
    list.scrollTop = list.scrollHeight;
  }

  // Wiring ----------------------------------------------------------------------------------

  function describeOrigin() {
    const api = new URL(config.envUrl).origin;
    const info = $("#origin-info");
    if (location.origin === api) {
      info.textContent = "Same origin as the API";
    } else {
      info.append(`Cross-origin: this page (${location.origin}) calls the API at `,
        element("a", { href: config.sameOriginUrl, textContent: api }));
    }
  }

  $("#auth-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const action = event.submitter ? event.submitter.value : "signin";
    authenticate(action, form.elements.email.value.trim(), form.elements.password.value);
  });
  $("#sign-out").addEventListener("click", signOut);
  $("#todo-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.elements.title;
    const title = input.value.trim();
    input.value = "";
    if (title) createTodo(title);
  });
  $("#upload-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = event.target.elements.file.files[0];
    if (file) upload(file);
  });
  $("#chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.elements.text;
    const text = input.value.trim();
    input.value = "";
    if (text && realtime) realtime.send(config.chatChannel, "chat", { name: displayName(user), text, at: Date.now() });
  });

  async function restore() {
    describeOrigin();
    const session = client.auth.getSession();
    if (!session) {
      $("#auth").hidden = false;
      return;
    }
    const result = await call("Restoring your session", () => client.auth.getUserFromDB());
    if (result && result.user) start(result.user, session);
    else $("#auth").hidden = false;
  }

  restore();
})();
