// The dashboard: polls /_emulator/ui/state and draws it. Every value is put in the page as text
// (textContent, createTextNode), never as markup: names and tags come from clients.
"use strict";

const REFRESH_MS = 2000;
const params = new URLSearchParams(location.search);
const scope = {account: params.get("account") || "", region: params.get("region") || ""};
const openPanels = new Set();          // data-key of the <details> the reader opened
let lastDrawn = null;                  // the state last drawn, without its clock
let timer = null;

// -- building blocks --------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function time(epoch) {
  if (typeof epoch !== "number") return "";
  return new Date(epoch * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function shortTime(epoch) {
  return new Date(epoch * 1000).toISOString().slice(11, 19);
}

function lastPart(arn) {
  return typeof arn === "string" ? arn.slice(arn.lastIndexOf("/") + 1) : "";
}

function taskDefinitionName(arn) {
  return lastPart(arn).replace(/^task-definition\//, "");
}

function badge(value, field) {
  const text = value === undefined || value === null ? "" : String(value);
  return el("span", {className: "badge status-" + text.toLowerCase().replace(/[^a-z_]/g, ""), "data-field": field},
            text);
}

function tags(value) {
  // ECS: [{key, value}]; EKS: {key: value}
  const pairs = Array.isArray(value) ? value.map(t => [t.key, t.value]) : Object.entries(value || {});
  if (!pairs.length) return null;
  return el("ul", {className: "tags"}, pairs.map(([k, v]) => el("li", {"data-tag": k}, `${k}=${v}`)));
}

// A resource: a row of its main fields that opens its full Describe JSON.
function item(key, columns, described) {
  const panel = el("details", {className: "item", "data-key": key, open: openPanels.has(key)},
    el("summary", {className: "row"}, columns.map(([field, value]) =>
      value instanceof Node ? el("span", {className: "cell"}, value)
                            : el("span", {className: "cell", "data-field": field}, value ?? ""))),
    el("pre", {className: "json", "data-scroll": "json:" + key}, JSON.stringify(described, null, 2)));
  panel.addEventListener("toggle", () => panel.open ? openPanels.add(key) : openPanels.delete(key));
  return panel;
}

function list(title, kind, headings, items, note) {
  if (!items.length) return null;
  return el("div", {className: "list " + kind},
    el("h4", null, `${title} (${items.length})`, note ? el("small", null, " " + note) : null),
    el("div", {className: "row head"}, headings.map(h => el("span", {className: "cell"}, h))),
    items);
}

function card(key, kind, title, status, facts, tagValue, described, ...lists) {
  return el("article", {className: "card " + kind, "data-card": key},
    el("h3", null, el("span", {className: "kind"}, kind === "ecs" ? "ECS cluster" : "EKS cluster"), " ",
       el("span", {"data-field": "name"}, title), " ", badge(status, "status")),
    el("p", {className: "facts"}, facts.filter(f => f[1] !== undefined && f[1] !== null && f[1] !== "")
      .map(([label, value]) => el("span", null, label + " ", el("b", null, String(value))))),
    tags(tagValue),
    item(key, [["describe", "Describe JSON"]], described),
    lists);
}

// -- ECS ---------------------------------------------------------------------------------------
function deploymentsCell(service, serviceDeployments) {
  const lines = (service.deployments || []).map(d =>
    el("div", {"data-deployment": d.id, title: d.id}, `${d.status} `, badge(d.rolloutState, "rolloutState"),
       ` ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${taskDefinitionName(d.taskDefinition)}`));
  for (const sd of serviceDeployments.filter(d => d.lifecycleStage)) {
    lines.push(el("div", {"data-service-deployment": sd.serviceDeploymentArn},
      `${sd.status} stage `, el("b", {"data-field": "lifecycleStage"}, sd.lifecycleStage)));
  }
  return el("div", {className: "deployments"}, lines);
}

function ecsCluster(entry, limits) {
  const c = entry.cluster;
  const services = entry.services.map(({service: s, serviceDeployments}) =>
    item(s.serviceArn, [["serviceName", s.serviceName], ["status", badge(s.status, "status")],
      ["desiredCount", s.desiredCount], ["runningCount", s.runningCount], ["pendingCount", s.pendingCount],
      ["deployments", deploymentsCell(s, serviceDeployments)], ["tags", tags(s.tags) || ""]],
      {service: s, serviceDeployments}));
  const tasks = entry.tasks.map(t =>
    item(t.taskArn, [["taskId", lastPart(t.taskArn)], ["lastStatus", badge(t.lastStatus, "lastStatus")],
      ["desiredStatus", t.desiredStatus], ["taskDefinition", taskDefinitionName(t.taskDefinitionArn)],
      ["launchType", t.launchType || t.capacityProviderName || ""], ["group", t.group || ""],
      ["stopReason", t.stoppedReason || ""]], t));
  const instances = entry.containerInstances.map(i =>
    item(i.containerInstanceArn, [["id", lastPart(i.containerInstanceArn)], ["ec2InstanceId", i.ec2InstanceId],
      ["status", badge(i.status, "status")], ["agentConnected", i.agentConnected ? "connected" : "disconnected"],
      ["tasks", `${i.runningTasksCount ?? 0} running, ${i.pendingTasksCount ?? 0} pending`]], i));
  return card(c.clusterArn, "ecs", c.clusterName, c.status,
    [["services", c.activeServicesCount], ["running", c.runningTasksCount], ["pending", c.pendingTasksCount],
     ["container instances", c.registeredContainerInstancesCount]],
    c.tags, c,
    list("Services", "services", ["name", "status", "desired", "running", "pending", "deployments", "tags"], services),
    list("Tasks", "tasks", ["task", "last status", "desired", "task definition", "launch type", "group", "stop reason"],
         tasks, entry.tasksTruncated ? `showing ${limits.tasksPerCluster}, those meant to run first` : ""),
    list("Container instances", "instances", ["id", "EC2 instance", "status", "agent", "tasks"], instances));
}

function taskDefinitions(ecs, limits) {
  const items = ecs.taskDefinitions.map(({taskDefinition: d, tags: t}) =>
    item(d.taskDefinitionArn, [["name", `${d.family}:${d.revision}`], ["status", badge(d.status, "status")],
      ["size", [d.cpu, d.memory].filter(Boolean).join(" / ")], ["compatibilities",
      (d.requiresCompatibilities || d.compatibilities || []).join(", ")],
      ["containers", (d.containerDefinitions || []).map(c => `${c.name} (${c.image})`).join(", ")]],
      {taskDefinition: d, tags: t}));
  const section = list("Task definitions", "definitions", ["revision", "status", "cpu / memory", "compatibilities",
    "containers"], items, ecs.taskDefinitionsTruncated ? `the newest ${limits.perList}` : "");
  return section && el("article", {className: "card plain"}, section);
}

// -- EKS ---------------------------------------------------------------------------------------
function eksCluster(entry) {
  const c = entry.cluster;
  const nodegroups = entry.nodegroups.map(n =>
    item(n.nodegroupArn, [["name", n.nodegroupName], ["status", badge(n.status, "status")], ["version", n.version],
      ["scaling", n.scalingConfig ? `${n.scalingConfig.minSize}–${n.scalingConfig.desiredSize}–${n.scalingConfig.maxSize}`
                                  : ""],
      ["instanceTypes", (n.instanceTypes || []).join(", ")], ["capacityType", n.capacityType || ""]], n));
  const profiles = entry.fargateProfiles.map(p =>
    item(p.fargateProfileArn, [["name", p.fargateProfileName], ["status", badge(p.status, "status")],
      ["selectors", (p.selectors || []).map(s => s.namespace).join(", ")]], p));
  const addons = entry.addons.map(a =>
    item(a.addonArn, [["name", a.addonName], ["status", badge(a.status, "status")], ["version", a.addonVersion]], a));
  const inProgress = entry.updates.filter(({update: u}) => u.status === "InProgress").length;
  const updates = entry.updates.map(({update: u, resource}) =>
    item(`${c.arn}/update/${u.id}`, [["id", u.id], ["type", u.type], ["status", badge(u.status, "status")],
      ["resource", resource], ["createdAt", time(u.createdAt)]], {update: u}));
  return card(c.arn, "eks", c.name, c.status,
    [["version", c.version], ["platform", c.platformVersion], ["endpoint", c.endpoint]],
    c.tags, c,
    list("Node groups", "nodegroups", ["name", "status", "version", "min–desired–max", "instance types", "capacity"],
         nodegroups),
    list("Fargate profiles", "profiles", ["name", "status", "namespaces"], profiles),
    list("Add-ons", "addons", ["name", "status", "version"], addons),
    list("Updates", "updates", ["id", "type", "status", "of", "created"], updates,
         inProgress ? `${inProgress} in progress` : ""));
}

// -- the whole ---------------------------------------------------------------------------------
function hint(state) {
  const origin = location.origin;
  return el("div", {className: "hint", id: "hint"},
    el("h2", null, `Nothing here yet in account ${state.account}, ${state.region}`),
    el("p", null, "Point your SDK or the AWS CLI at this server (any access key works):"),
    el("pre", null, "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=" +
       state.region + "\n" + `aws --endpoint-url ${origin} ecs create-cluster --cluster-name demo\n` +
       `aws --endpoint-url ${origin} eks list-clusters`),
    el("pre", null, `import boto3\necs = boto3.client("ecs", endpoint_url="${origin}", region_name="${state.region}",\n` +
       `                   aws_access_key_id="testing", aws_secret_access_key="testing")`));
}

function drawScopes(state) {
  const select = document.getElementById("scope");
  const scopes = state.scopes.slice();
  if (!scopes.some(s => s.account === state.account && s.region === state.region)) {
    scopes.unshift({account: state.account, region: state.region});
  }
  select.replaceChildren(...scopes.map(s => el("option", {value: `${s.account} ${s.region}`,
    selected: s.account === state.account && s.region === state.region}, `${s.account} · ${s.region}`)));
}

function drawTimeline(state) {
  return state.timeline.map(e => el("li", {className: "kind-" + e.kind, title: time(e.time)},
    el("time", null, shortTime(e.time)), " ", el("span", {className: "badge"}, e.kind), " ",
    el("b", null, e.resource), " ", e.text));
}

function drawClock(clock) {
  document.getElementById("clock-now").textContent = time(clock.now);
  const stateBadge = document.getElementById("clock-state");
  stateBadge.textContent = clock.frozen ? "frozen" : "running";
  stateBadge.className = "badge " + (clock.frozen ? "status-frozen" : "status-running");
  document.getElementById("freeze").disabled = clock.frozen;
  document.getElementById("unfreeze").disabled = !clock.frozen;
}

// Redraw in place: the reader's open panels are reopened by key, and every scrolled box (the
// window, the timeline, an open JSON panel) is put back where it was.
function draw(state) {
  drawClock(state.clock);
  const comparable = JSON.stringify(Object.assign({}, state, {clock: null}));
  if (comparable !== lastDrawn) {
    lastDrawn = comparable;
    const scrolled = new Map([...document.querySelectorAll("[data-scroll]")].map(n => [n.dataset.scroll, n.scrollTop]));
    const windowY = window.scrollY;
    drawScopes(state);
    const resources = [];
    if (state.empty) resources.push(hint(state));
    resources.push(...state.ecs.clusters.map(c => ecsCluster(c, state.limits)));
    resources.push(taskDefinitions(state.ecs, state.limits));
    resources.push(...state.eks.clusters.map(eksCluster));
    document.getElementById("resources").replaceChildren(...resources.filter(Boolean));
    document.getElementById("timeline").replaceChildren(...drawTimeline(state));
    for (const node of document.querySelectorAll("[data-scroll]")) {
      if (scrolled.has(node.dataset.scroll)) node.scrollTop = scrolled.get(node.dataset.scroll);
    }
    window.scrollTo(window.scrollX, windowY);
  }
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
}

// One message at a time; a successful read clears only a failed read's message, not a refused action's.
function showError(message, source) {
  const error = document.getElementById("error");
  if (!message && source && error.dataset.source !== source) return;
  error.textContent = message || "";
  error.dataset.source = source || "";
  error.hidden = !message;
}

async function refresh() {
  clearTimeout(timer);
  try {
    const query = new URLSearchParams();
    if (scope.account) query.set("account", scope.account);
    if (scope.region) query.set("region", scope.region);
    const response = await fetch("/_emulator/ui/state?" + query, {cache: "no-store"});
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    draw(await response.json());
    showError("", "state");
  } catch (error) {
    showError(`Cannot read the emulator's state: ${error.message}`, "state");
  }
  if (document.getElementById("auto-refresh").checked) timer = setTimeout(refresh, REFRESH_MS);
}

async function admin(path, body) {
  try {
    const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                        body: JSON.stringify(body || {})});
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.message || `HTTP ${response.status}`);
    showError("");
  } catch (error) {
    showError(`${path}: ${error.message}`);
  }
  await refresh();
}

document.getElementById("scope").addEventListener("change", event => {
  [scope.account, scope.region] = event.target.value.split(" ");
  history.replaceState(null, "", "?" + new URLSearchParams(scope));
  refresh();
});
document.getElementById("freeze").addEventListener("click", () => admin("/_emulator/clock", {freeze: true}));
document.getElementById("unfreeze").addEventListener("click", () => admin("/_emulator/clock", {unfreeze: true}));
document.getElementById("advance").addEventListener("click", () =>
  admin("/_emulator/clock", {advance: Number(document.getElementById("advance-seconds").value || 0)}));
document.getElementById("refresh-now").addEventListener("click", refresh);
document.getElementById("auto-refresh").addEventListener("change", refresh);
document.getElementById("reset").addEventListener("click", () => {
  if (confirm("Reset the emulator? Every resource of every account and Region is dropped and the clock unfrozen.")) {
    admin("/_emulator/reset");
  }
});
fetch("/_emulator/health").then(r => r.json()).then(health => {
  document.getElementById("version").textContent = health.version;
}, () => {});
refresh();
