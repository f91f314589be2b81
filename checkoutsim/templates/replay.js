// checkoutsim replay: plays recorded store days on one clock. Plain JavaScript drawing SVG,
// written for this page (no library, no network). Data: checkoutsim/report/replay.py.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var KIOSK_COLOURS = {
    closed: "#d9d9d9", idle: "#f7f7f7", scanning: "#a9cfe9", frozen: "#e4572e",
    helped: "#f2a541", out_of_order: "#4d4d4d"
  };
  var ATTENDANT_COLOURS = {
    off: "#b3b3b3", idle: "#5b8cc0", walking: "#1d4e89", helping: "#1d4e89", repairing: "#4d4d4d"
  };
  var WAIT_COLOURS = ["#2a9d5c", "#e9a23b", "#d1495b"];
  var FLOOR_W = 1000, FLOOR_H = 440, CURVE_H = 170;
  var LANE_LEFT = 20, LANE_RIGHT = 600, REGISTER_Y = 370, DOT = 13, MAX_QUEUE_DOTS = 24;
  var BANK_LEFT = 640, BANK_RIGHT = 990, BANK_TOP = 70;

  function svg(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clockOf(openMin, s) {
    var total = Math.floor(openMin * 60 + s);
    return pad(Math.floor(total / 3600) % 24) + ":" + pad(Math.floor(total / 60) % 60) + ":" +
      pad(total % 60);
  }
  function minutes(s) { return (s / 60).toFixed(1) + " min"; }
  // First index in sorted a[lo, hi) whose value is > x.
  function upper(a, x, lo, hi) {
    while (lo < hi) { var m = (lo + hi) >> 1; if (a[m] <= x) lo = m + 1; else hi = m; }
    return lo;
  }
  function lower(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m; }
    return lo;
  }
  function waitColour(waited, target) {
    var f = target > 0 ? waited / target : (waited > 0 ? 2 : 0);
    return WAIT_COLOURS[f < 0.5 ? 0 : f < 1 ? 1 : 2];
  }

  // One entity's state at second t from a flattened timeline: index of its last change, or -1.
  function changeAt(tl, entity, t) {
    var lo = tl.off[entity], hi = tl.off[entity + 1];
    var i = upper(tl.t, t, lo, hi) - 1;
    return i >= lo ? i : -1;
  }

  function Panel(day, root, index) {
    this.d = day;
    this.m = day.meta;
    this.index = index;
    var c = day.customers;
    var soj = 0;
    for (var i = 0; i < c.arr.length; i++) {
      var dep = c.dep[i] < 0 ? this.m.end_s : c.dep[i];
      if (dep - c.arr[i] > soj) soj = dep - c.arr[i];
    }
    this.maxStay = soj;
    this.nLanes = this.m.regular_lanes + this.m.express_lanes;
    this.build(root);
  }

  Panel.prototype.build = function (root) {
    var m = this.m;
    var box = document.createElement("section");
    box.className = "panel";
    box.dataset.panel = this.index;
    root.appendChild(box);
    var floor = svg("svg", { viewBox: "0 0 " + FLOOR_W + " " + FLOOR_H, class: "floor" }, box);
    this.floor = floor;
    svg("rect", { x: 0, y: 0, width: FLOOR_W, height: FLOOR_H, class: "ground" }, floor);
    var title = svg("text", { x: 20, y: 30, class: "title" }, floor);
    title.textContent = m.label + " \u00b7 day " + m.day;
    this.clockText = svg("text", { x: 600, y: 34, class: "bigclock", "text-anchor": "end" }, floor);
    // Cashier lanes.
    var n = this.nLanes, w = (LANE_RIGHT - LANE_LEFT) / Math.max(n, 1);
    this.laneW = w;
    this.lanes = [];
    for (var k = 0; k < n; k++) {
      var x = LANE_LEFT + w * (k + 0.5);
      var g = svg("g", { class: "lane", "data-lane": k }, floor);
      svg("line", { x1: x, y1: 50, x2: x, y2: REGISTER_Y - 4, class: "aisle" }, g);
      var reg = svg("rect", {
        x: x - Math.min(w - 6, 40) / 2, y: REGISTER_Y, width: Math.min(w - 6, 40), height: 26, rx: 4,
        class: "register"
      }, g);
      var name = k < m.regular_lanes ? String(k + 1) : "E" + (k - m.regular_lanes + 1);
      var label = svg("text", { x: x, y: REGISTER_Y + 44, "text-anchor": "middle", class: "label" }, g);
      label.textContent = name;
      var more = svg("text", { x: x, y: 48, "text-anchor": "middle", class: "more" }, g);
      this.lanes.push({ g: g, x: x, reg: reg, label: label, more: more, name: name });
    }
    // Kiosk bank.
    var K = m.kiosks;
    var cols = K <= 4 ? Math.max(K, 1) : Math.max(4, Math.ceil(Math.sqrt(K)));
    var rows = Math.max(1, Math.ceil(K / cols));
    var cw = (BANK_RIGHT - BANK_LEFT) / cols, ch = Math.min(62, 200 / rows);
    var bank = svg("g", { class: "bank" }, floor);
    var head = svg("text", { x: BANK_LEFT, y: BANK_TOP - 12, class: "label" }, bank);
    head.textContent = K ? "Self-checkout (" + K + " kiosks)" : "No self-checkout kiosks";
    this.kiosks = [];
    for (var q = 0; q < K; q++) {
      var kx = BANK_LEFT + cw * (q % cols), ky = BANK_TOP + ch * Math.floor(q / cols);
      var kg = svg("g", { class: "kiosk", "data-kiosk": q }, bank);
      var r = svg("rect", { x: kx + 3, y: ky + 3, width: cw - 6, height: ch - 6, rx: 5 }, kg);
      var kt = svg("text", { x: kx + 8, y: ky + 16, class: "small" }, kg);
      kt.textContent = "K" + (q + 1);
      this.kiosks.push({ g: kg, rect: r, cx: kx + cw / 2, cy: ky + ch / 2, x: kx, y: ky, w: cw, h: ch });
    }
    this.bankBottom = BANK_TOP + ch * rows;
    var lineY = this.bankBottom + 30;
    this.kioskLineY = lineY;
    var lineLabel = svg("text", { x: BANK_LEFT, y: lineY - 14, class: "label" }, floor);
    lineLabel.textContent = K ? "Kiosk line" : "";
    this.kioskLine = svg("g", { class: "kiosk-line", "data-queue": 0 }, floor);
    this.kioskMore = svg("text", { x: BANK_RIGHT, y: lineY - 14, "text-anchor": "end", class: "more" }, floor);
    // Attendants: the desk, their walks, themselves.
    var deskY = Math.min(FLOOR_H - 40, lineY + 60);
    this.deskY = deskY;
    var deskGroup = svg("g", { visibility: m.attendants ? "visible" : "hidden" }, floor);
    var desk = svg("rect", { x: BANK_LEFT, y: deskY - 14, width: 26 * Math.max(m.attendants, 1) + 8, height: 28, rx: 6, class: "desk" }, deskGroup);
    desk.setAttribute("data-desk", "1");
    var dl = svg("text", { x: BANK_LEFT + 26 * Math.max(m.attendants, 1) + 16, y: deskY + 4, class: "small" }, deskGroup);
    dl.textContent = "attendants' desk";
    this.attendants = [];
    for (var a = 0; a < m.attendants; a++) {
      var walk = svg("line", { class: "walk", visibility: "hidden" }, floor);
      var ag = svg("g", { class: "attendant", "data-attendant": a }, floor);
      var circle = svg("circle", { r: 10 }, ag);
      var at = svg("text", { "text-anchor": "middle", y: 4, class: "atext" }, ag);
      at.textContent = "A" + (a + 1);
      this.attendants.push({ g: ag, circle: circle, walk: walk });
    }
    this.dots = svg("g", { class: "dots" }, floor);
    this.pool = [];
    this.legend(floor);
    this.curves(box);
  };

  Panel.prototype.legend = function (floor) {
    var x = 628, y = 30;
    var names = ["idle", "scanning", "frozen", "helped", "closed"];
    var words = { idle: "idle", scanning: "scanning", frozen: "frozen", helped: "helped", closed: "closed",
      out_of_order: "fault" };  // short: the legend must end inside the floor (1000 wide)
    if (this.m.faults && this.m.faults.length) names.push("out_of_order");
    for (var i = 0; i < names.length; i++) {
      svg("rect", { x: x, y: y - 9, width: 10, height: 10, fill: KIOSK_COLOURS[names[i]], stroke: "#888" }, floor);
      var t = svg("text", { x: x + 13, y: y, class: "small" }, floor);
      t.textContent = words[names[i]];
      x += 22 + words[names[i]].length * 6.2;
    }
  };

  Panel.prototype.curves = function (box) {
    var m = this.m, s = this.d.series, wv = this.d.waits;
    var g = svg("svg", { viewBox: "0 0 " + FLOOR_W + " " + CURVE_H, class: "curves" }, box);
    this.curveSvg = g;
    var L = 50, R = 950, T = 12, B = 140;
    var end = Math.max(m.end_s, 1);
    this.xOf = function (t) { return L + (R - L) * t / end; };
    var qmax = 1, i;
    for (i = 0; i < s.t.length; i++) qmax = Math.max(qmax, s.cashier_queue[i], s.kiosk_queue[i]);
    var wmax = m.target_s / 60 * 1.5;
    for (i = 0; i < wv.mean.length; i++) wmax = Math.max(wmax, wv.mean[i]);
    var xOf = this.xOf;
    function yq(v) { return B - (B - T) * v / qmax; }
    function yw(v) { return B - (B - T) * v / wmax; }
    svg("rect", { x: L, y: T, width: R - L, height: B - T, class: "plot" }, g);
    for (var h = Math.ceil(m.open_min / 60) * 60 - m.open_min; h * 60 <= end; h += 60) {
      var hx = xOf(h * 60);
      svg("line", { x1: hx, y1: T, x2: hx, y2: B, class: "grid" }, g);
      var ht = svg("text", { x: hx, y: B + 14, "text-anchor": "middle", class: "small" }, g);
      ht.textContent = pad(Math.floor((m.open_min + h) / 60) % 24) + ":00";
    }
    function step(ys, y) {
      var d = "";
      for (var j = 0; j < s.t.length; j++) {
        d += (j ? "H" + xOf(s.t[j]).toFixed(1) + "V" : "M" + xOf(s.t[j]).toFixed(1) + ",") + y(ys[j]).toFixed(1);
      }
      return d;
    }
    svg("path", { d: step(s.cashier_queue, yq), class: "q-cashier" }, g);
    svg("path", { d: step(s.kiosk_queue, yq), class: "q-kiosk" }, g);
    var d = "", pen = false;
    for (i = 0; i < wv.t.length; i++) {
      if (wv.mean[i] < 0) { pen = false; continue; }
      d += (pen ? "L" : "M") + xOf(wv.t[i] + 300).toFixed(1) + "," + yw(wv.mean[i]).toFixed(1);
      pen = true;
    }
    svg("path", { d: d, class: "w-mean" }, g);
    svg("line", { x1: L, x2: R, y1: yw(m.target_s / 60), y2: yw(m.target_s / 60), class: "target" }, g);
    var lq = svg("text", { x: L - 6, y: T + 8, "text-anchor": "end", class: "small" }, g);
    lq.textContent = String(qmax);
    var lw = svg("text", { x: R + 6, y: T + 8, class: "small" }, g);
    lw.textContent = wmax.toFixed(1) + " min";
    var key = svg("text", { x: L + 6, y: T + 14, class: "small" }, g);
    key.innerHTML = '<tspan class="k-cashier">\u2014 cashier queue</tspan>  ' +
      '<tspan class="k-kiosk">\u2014 kiosk line</tspan>  ' +
      '<tspan class="k-wait">- - mean wait (10-min arrivals, right axis)</tspan>  ' +
      '<tspan class="k-target">\u00b7\u00b7 target wait</tspan>';
    this.cursor = svg("line", { y1: T - 4, y2: B + 2, class: "cursor" }, g);
    var self = this;
    g.addEventListener("click", function (ev) {
      var p = g.createSVGPoint(); p.x = ev.clientX; p.y = ev.clientY;
      var loc = p.matrixTransform(g.getScreenCTM().inverse());
      player.seek(Math.max(0, Math.min(end, (loc.x - L) / (R - L) * end)));
    });
    void self;
  };

  Panel.prototype.dot = function (n, i, x, y, colour) {
    var c = this.pool[n];
    if (!c) { c = svg("circle", { r: 5 }, this.dots); this.pool.push(c); }
    c.setAttribute("cx", x.toFixed(1));
    c.setAttribute("cy", y.toFixed(1));
    c.setAttribute("fill", colour);
    c.setAttribute("data-c", i);
    c.removeAttribute("visibility");
  };

  Panel.prototype.kioskSpot = function (k, a) {
    if (k < 0 || k >= this.kiosks.length) return [BANK_LEFT + 17 + 26 * a, this.deskY];
    var q = this.kiosks[k];
    return [q.x + q.w - 14 - 3 * a, q.y + q.h - 14];
  };

  Panel.prototype.draw = function (t) {
    var m = this.m, c = this.d.customers, n = this.nLanes, target = m.target_s;
    this.clockText.textContent = clockOf(m.open_min, t);
    var queues = [], atLane = [], i, k;
    for (k = 0; k < n; k++) { queues.push([]); atLane.push(-1); }
    var line = [], atKiosk = [];
    for (k = 0; k < m.kiosks; k++) atKiosk.push(-1);
    var hi = upper(c.arr, t, 0, c.arr.length), lo = lower(c.arr, t - this.maxStay);
    for (i = lo; i < hi; i++) {
      var dep = c.dep[i] < 0 ? m.end_s + 1 : c.dep[i];
      if (dep <= t) continue;
      var queued = c.start[i] < 0 || t < c.start[i];
      if (c.ch[i] === 0 && c.lane[i] >= 0 && c.lane[i] < n) {
        if (queued) queues[c.lane[i]].push(i); else atLane[c.lane[i]] = i;
      } else if (c.ch[i] === 1) {
        if (queued) line.push(i); else if (c.lane[i] >= 0 && c.lane[i] < m.kiosks) atKiosk[c.lane[i]] = i;
      }
    }
    var used = 0, tl = this.d.lanes;
    for (k = 0; k < n; k++) {
      var lane = this.lanes[k];
      var ci = changeAt(tl, k, t);
      var open = ci >= 0 && m.lane_states[tl.s[ci]] === "open";
      var busy = atLane[k] >= 0 || queues[k].length > 0;
      var state = open ? "open" : busy ? "closing" : "closed";
      lane.g.setAttribute("data-state", state);
      lane.g.setAttribute("data-queue", queues[k].length);
      lane.g.setAttribute("class", "lane " + state);
      if (atLane[k] >= 0) {
        this.dot(used++, atLane[k], lane.x, REGISTER_Y + 13, waitColour(c.wait[atLane[k]], target));
      }
      var shown = Math.min(queues[k].length, MAX_QUEUE_DOTS);
      for (var j = 0; j < shown; j++) {
        var qi = queues[k][j];
        this.dot(used++, qi, lane.x, REGISTER_Y - 10 - DOT * j, waitColour(t - c.arr[qi], target));
      }
      lane.more.textContent = queues[k].length > shown ? "+" + (queues[k].length - shown) : "";
    }
    var kt = this.d.kiosks;
    for (k = 0; k < m.kiosks; k++) {
      var ki = changeAt(kt, k, t);
      var ks = ki >= 0 && kt.s[ki] >= 0 ? m.kiosk_states[kt.s[ki]] : "closed";
      var kiosk = this.kiosks[k];
      kiosk.g.setAttribute("data-state", ks);
      kiosk.rect.setAttribute("fill", KIOSK_COLOURS[ks] || "#999");
      if (atKiosk[k] >= 0) {
        this.dot(used++, atKiosk[k], kiosk.cx, kiosk.cy + 4, waitColour(c.wait[atKiosk[k]], target));
      }
    }
    var perRow = Math.floor((BANK_RIGHT - BANK_LEFT) / DOT), rowsShown = 2;
    var lineShown = Math.min(line.length, perRow * rowsShown);
    for (i = 0; i < lineShown; i++) {
      var li = line[i];
      this.dot(used++, li, BANK_LEFT + 6 + DOT * (i % perRow), this.kioskLineY + DOT * Math.floor(i / perRow),
        waitColour(t - c.arr[li], target));
    }
    this.kioskLine.setAttribute("data-queue", line.length);
    this.kioskMore.textContent = line.length > lineShown ? "+" + (line.length - lineShown) + " more" : line.length ? line.length + " waiting" : "";
    for (i = used; i < this.pool.length; i++) this.pool[i].setAttribute("visibility", "hidden");
    var at = this.d.attendants;
    for (k = 0; k < m.attendants; k++) {
      var person = this.attendants[k];
      var ai = changeAt(at, k, t);
      var as = ai >= 0 && at.s[ai] >= 0 ? m.attendant_states[at.s[ai]] : "off";
      var where = ai >= 0 ? at.w[ai] : -1;
      var p = this.kioskSpot(as === "off" ? -1 : where, k);
      person.walk.setAttribute("visibility", "hidden");
      if (as === "walking") {
        var from = this.kioskSpot(at.o[ai], k);
        var t0 = at.t[ai], t1 = ai + 1 < at.off[k + 1] ? at.t[ai + 1] : t0 + 1;
        var f = Math.max(0, Math.min(1, (t - t0) / Math.max(t1 - t0, 1)));
        person.walk.setAttribute("x1", from[0]); person.walk.setAttribute("y1", from[1]);
        person.walk.setAttribute("x2", p[0]); person.walk.setAttribute("y2", p[1]);
        person.walk.removeAttribute("visibility");
        p = [from[0] + (p[0] - from[0]) * f, from[1] + (p[1] - from[1]) * f];
      }
      person.g.setAttribute("transform", "translate(" + p[0].toFixed(1) + "," + p[1].toFixed(1) + ")");
      person.g.setAttribute("data-state", as);
      person.g.setAttribute("data-kiosk", where);
      person.circle.setAttribute("fill", ATTENDANT_COLOURS[as] || "#999");
    }
    var x = this.xOf(Math.min(t, m.end_s));
    this.cursor.setAttribute("x1", x);
    this.cursor.setAttribute("x2", x);
  };

  // What is drawn, read back from the SVG (the test hook).
  Panel.prototype.drawn = function () {
    function all(root, sel, name) {
      return Array.prototype.map.call(root.querySelectorAll(sel), function (e) { return e.getAttribute(name); });
    }
    var f = this.floor;
    return {
      label: this.m.label,
      clock: this.clockText.textContent,
      lane_queue: all(f, "g.lane", "data-queue").map(Number),
      lane_state: all(f, "g.lane", "data-state"),
      kiosk_state: all(f, "g.kiosk", "data-state"),
      kiosk_queue: Number(this.kioskLine.getAttribute("data-queue")),
      attendant_state: all(f, "g.attendant", "data-state"),
      attendant_kiosk: all(f, "g.attendant", "data-kiosk").map(Number),
      dots: f.querySelectorAll("g.dots circle:not([visibility])").length
    };
  };

  Panel.prototype.record = function (i) {
    var c = this.d.customers, m = this.m;
    var ch = ["cashier", "kiosk"][c.ch[i]] || "none";
    var out = ["served", "balked", "reneged"][c.out[i]] || "unfinished";
    var where = c.ch[i] === 1 ? (c.start[i] >= 0 ? "kiosk K" + (c.lane[i] + 1) : "kiosk line")
      : c.lane[i] >= 0 && c.lane[i] < this.nLanes ? "lane " + this.lanes[c.lane[i]].name : "";
    var rows = [
      ["Customer", "#" + c.id[i] + " (" + m.label + ")"],
      ["Arrived", clockOf(m.open_min, c.arr[i])],
      ["Basket", c.items[i] + " items"],
      ["Channel", ch + (where ? ", " + where : "") + (c.switches[i] ? " (switched)" : "")],
      ["Queue wait", minutes(c.wait[i])],
      ["Service start", c.start[i] >= 0 ? clockOf(m.open_min, c.start[i]) : "\u2014"],
      ["Left", c.dep[i] >= 0 ? clockOf(m.open_min, c.dep[i]) + " (" + out + ")" : out],
      ["Assists", c.assists[i] ? c.assists[i] + ", waited " + minutes(c.help_wait[i]) + " for help" : "none"],
      ["Satisfaction", c.sat[i] >= 0 ? (c.sat[i] / 100).toFixed(2) + " / 5" : "\u2014"]
    ];
    return rows;
  };

  var player = {
    panels: [], t: 0, end: 0, playing: false, speed: 60, last: null, drawnAt: -1,
    seek: function (t) {
      this.t = Math.max(0, Math.min(this.end, t));
      this.draw();
    },
    draw: function () {
      var t = Math.floor(this.t);
      if (t === this.drawnAt) return;
      this.drawnAt = t;
      for (var i = 0; i < this.panels.length; i++) this.panels[i].draw(t);
      var m = this.panels[0].m;
      document.getElementById("clock").textContent = clockOf(m.open_min, t).slice(0, 5);
      document.getElementById("scrub").value = Math.floor(t / 60);
    },
    play: function (on) {
      this.playing = on;
      this.last = null;
      document.getElementById("play").textContent = on ? "Pause" : "Play";
      if (on) { if (this.t >= this.end) this.seek(0); requestAnimationFrame(tick); }
    },
    state: function () {
      return { second: Math.floor(this.t), panels: this.panels.map(function (p) { return p.drawn(); }) };
    }
  };

  function tick(now) {
    if (!player.playing) return;
    if (player.last !== null) {
      player.t = Math.min(player.end, player.t + (now - player.last) / 1000 * player.speed);
      player.draw();
      if (player.t >= player.end) { player.play(false); return; }
    }
    player.last = now;
    requestAnimationFrame(tick);
  }

  function controls() {
    var scrub = document.getElementById("scrub");
    scrub.max = Math.ceil(player.end / 60);
    scrub.addEventListener("input", function () { player.seek(Number(scrub.value) * 60); });
    document.getElementById("play").addEventListener("click", function () { player.play(!player.playing); });
    var speed = document.getElementById("speed");
    player.speed = Number(speed.value);
    speed.addEventListener("change", function () { player.speed = Number(speed.value); });
    var worst = null;
    player.panels.forEach(function (p) {
      var w = p.m.worst_hour;
      if (w.label && (!worst || w.p90_min > worst.p90_min)) worst = w;
    });
    var button = document.getElementById("worst");
    if (worst) {
      button.textContent = "Worst hour (" + worst.label + ", p90 wait " + worst.p90_min.toFixed(1) + " min)";
      button.addEventListener("click", function () { player.seek(worst.start_s); });
    } else {
      button.disabled = true;
    }
    document.addEventListener("keydown", function (ev) {
      if (ev.code === "Space" && ev.target === document.body) { ev.preventDefault(); player.play(!player.playing); }
    });
    var tip = document.getElementById("tip");
    document.getElementById("panels").addEventListener("mousemove", function (ev) {
      var dot = ev.target.closest ? ev.target.closest("[data-c]") : null;
      var box = dot ? dot.closest("[data-panel]") : null;
      if (!dot || !box) { tip.hidden = true; return; }
      var rows = player.panels[Number(box.dataset.panel)].record(Number(dot.getAttribute("data-c")));
      tip.innerHTML = "";
      var table = document.createElement("table");
      rows.forEach(function (r) {
        var tr = table.insertRow();
        var th = document.createElement("th"); th.textContent = r[0]; tr.appendChild(th);
        tr.insertCell().textContent = r[1];
      });
      tip.appendChild(table);
      tip.hidden = false;
      tip.style.left = (ev.pageX + 14) + "px";
      tip.style.top = (ev.pageY + 10) + "px";
    });
  }

  // Moves the mouse onto the first customer drawn (as a reader would) and returns the
  // tooltip's text with that customer's id: the hover path, exercised by the browser test.
  function hoverFirstDot() {
    var dot = document.querySelector("g.dots circle[data-c]:not([visibility])");
    if (!dot) return null;
    var box = dot.getBoundingClientRect();
    dot.dispatchEvent(new MouseEvent("mousemove", {
      bubbles: true, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2
    }));
    var tip = document.getElementById("tip");
    var panel = player.panels[Number(dot.closest("[data-panel]").dataset.panel)];
    var out = { id: panel.d.customers.id[Number(dot.getAttribute("data-c"))], shown: !tip.hidden,
      rows: Array.prototype.map.call(tip.querySelectorAll("tr"), function (tr) {
        return [tr.cells[0].textContent, tr.cells[1].textContent];
      }) };
    tip.hidden = true;
    return out;
  }

  function fromHash() {
    var hash = location.hash.slice(1), out = {};
    hash.split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv[0]) out[kv[0]] = kv[1] || "";
    });
    return out;
  }

  async function load() {
    var el = document.getElementById("replay-data");
    if (el.getAttribute("data-encoding") === "gzip") {
      var bin = atob(el.textContent.trim()), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return JSON.parse(await new Response(stream).text());
    }
    return JSON.parse(el.textContent);
  }

  async function start() {
    var data = await load();
    var root = document.getElementById("panels");
    root.className = data.days.length > 1 ? "side-by-side" : "single";
    data.days.forEach(function (day, i) {
      player.panels.push(new Panel(day, root, i));
      player.end = Math.max(player.end, day.meta.end_s);
    });
    controls();
    var args = fromHash();
    player.seek(args.at !== undefined ? Math.round(Number(args.at) * 60) : 0);
    var ready = performance.now();
    document.body.setAttribute("data-ready-ms", ready.toFixed(0));
    if (args.check !== undefined) {
      var checks = args.check.split(",").map(Number).map(function (minute) {
        player.seek(Math.round(minute * 60));
        var s = player.state();
        s.minute = minute;
        s.hover = hoverFirstDot();
        return s;
      });
      var pre = document.getElementById("replay-check");
      pre.textContent = JSON.stringify({ ready_ms: ready, checks: checks });
    }
    window.checkoutsimReplay = player;
  }

  start().catch(function (err) {
    var pre = document.getElementById("replay-check");
    pre.textContent = JSON.stringify({ error: String(err && err.stack || err) });
    pre.hidden = false;
  });
})();
