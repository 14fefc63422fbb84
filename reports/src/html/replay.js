(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("replay-data").textContent);
  var frames = data.frames;
  var bodies = data.bodies;
  var proj = data.proj;
  var axis = data.axis;
  var slider = document.getElementById("frame-slider");
  var counter = document.getElementById("frame-counter");
  var playButton = document.getElementById("play");
  var speed = document.getElementById("speed");
  var layer = document.getElementById("bodies");
  var world = document.getElementById("world");
  var follow = document.getElementById("follow");
  var scaleBar = document.querySelector("#scene .scale-bar");
  var ego = bodies.findIndex(function (b) { return b.is_ego; });
  var maxRows = 400;

  function px(x) { return (x - proj.min_x) * proj.scale; }
  function py(y) { return (proj.max_y - y) * proj.scale; }
  function finite(v) { return typeof v === "number" && isFinite(v); }
  function fmt(v, digits) {
    if (v === null || v === undefined) { return "–"; }
    return finite(v) ? v.toFixed(digits) : String(v);
  }

  // One group per body: footprint, heading tick, label.
  var shapes = bodies.map(function (body) {
    var g = document.createElementNS(NS, "g");
    var poly = document.createElementNS(NS, "polygon");
    var dot = document.createElementNS(NS, "circle");
    var label = document.createElementNS(NS, "text");
    dot.setAttribute("r", "3");
    label.textContent = body.label;
    poly.setAttribute("vector-effect", "non-scaling-stroke");
    g.appendChild(poly);
    g.appendChild(dot);
    g.appendChild(label);
    layer.appendChild(g);
    return { g: g, poly: poly, dot: dot, label: label };
  });

  function place(shape, body, pose, observed) {
    var ok = pose && finite(pose[0]) && finite(pose[1]);
    shape.g.setAttribute("class", "body " + (body.is_ego ? "ego" : observed ? "observed" : "unobserved"));
    shape.g.setAttribute("visibility", ok ? "visible" : "hidden");
    if (!ok) { return; }
    var yaw = finite(pose[2]) ? pose[2] : 0;
    var c = Math.cos(yaw), s = Math.sin(yaw);
    var l = Math.max(body.length, 0.2) / 2, w = Math.max(body.width, 0.2) / 2;
    var corners = [[l, w], [-l, w], [-l, -w], [l, -w]].map(function (p) {
      return px(pose[0] + p[0] * c - p[1] * s).toFixed(1) + "," + py(pose[1] + p[0] * s + p[1] * c).toFixed(1);
    });
    shape.poly.setAttribute("points", corners.join(" "));
    shape.dot.setAttribute("cx", px(pose[0]).toFixed(1));
    shape.dot.setAttribute("cy", py(pose[1]).toFixed(1));
    shape.label.setAttribute("x", (px(pose[0]) + 8).toFixed(1));
    shape.label.setAttribute("y", (py(pose[1]) - 8).toFixed(1));
  }

  function fill(id, rows) {
    var tbody = document.getElementById(id);
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      row.cells.forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i > 0) { td.className = "num" + (row.negative ? " neg" : ""); }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  // The observation as path / value rows, nested objects flattened.
  function flatten(value, path, rows) {
    if (rows.length > maxRows) { return; }
    if (value !== null && typeof value === "object") {
      var keys = Array.isArray(value) ? value.map(function (_, i) { return i; }) : Object.keys(value);
      if (keys.length === 0) { rows.push({ cells: [path || "(observation)", Array.isArray(value) ? "[]" : "{}"] }); }
      keys.forEach(function (k) {
        flatten(value[k], Array.isArray(value) ? path + "[" + k + "]" : (path ? path + "." + k : String(k)), rows);
      });
    } else {
      var text = typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : String(value);
      rows.push({ cells: [path || "(observation)", text] });
    }
  }

  // The camera: the whole scene, or a window of follow_m metres centred on
  // the ego. Strokes do not scale; labels, dots and the scale bar are
  // corrected for the zoom.
  function frameCamera(f) {
    var zoom = 1, tx = 0, ty = 0;
    var pose = ego >= 0 ? f.poses[ego] : null;
    if (follow.checked && pose && finite(pose[0]) && finite(pose[1])) {
      zoom = Math.max(1, proj.width / (data.follow_m * proj.scale));
      tx = proj.width / 2 - zoom * px(pose[0]);
      ty = proj.height / 2 - zoom * py(pose[1]);
    }
    if (zoom === 1) { world.removeAttribute("transform"); } else {
      world.setAttribute("transform", "translate(" + tx.toFixed(1) + " " + ty.toFixed(1) + ") scale(" + zoom.toFixed(4) + ")");
    }
    shapes.forEach(function (shape) {
      shape.label.setAttribute("font-size", (11 / zoom).toFixed(2));
      shape.label.setAttribute("dx", (8 / zoom - 8).toFixed(2));
      shape.label.setAttribute("dy", (8 - 8 / zoom).toFixed(2));
      shape.dot.setAttribute("r", (3 / zoom).toFixed(2));
    });
    var starts = world.querySelectorAll("circle.start");
    for (var i = 0; i !== starts.length; i += 1) { starts[i].setAttribute("r", (3.5 / zoom).toFixed(2)); }
    if (scaleBar) {
      var unit = proj.scale * zoom;
      var metres = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find(function (m) { return m * unit >= 50; }) || 1000;
      var w = metres * unit, y = proj.height - 12;
      scaleBar.querySelector("rect").setAttribute("width", (w + 48).toFixed(1));
      scaleBar.querySelector("path").setAttribute("d", "M12 " + (y - 4).toFixed(1) + "v4h" + w.toFixed(1) + "v-4");
      var text = scaleBar.querySelector("text");
      text.setAttribute("x", (18 + w).toFixed(1));
      text.textContent = metres + " m";
    }
  }

  var current = 0;
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    var f = frames[current];
    slider.value = String(current);
    bodies.forEach(function (body, b) {
      place(shapes[b], body, f.poses[b], f.observed.indexOf(body.id) !== -1);
    });
    frameCamera(f);
    counter.textContent = "step " + f.step + " · t = " + fmt(f.t, 2) + " s · frame " + (current + 1) + " / " + frames.length;
    fill("control-table", [
      { cells: ["acceleration (m/s²)", fmt(f.control[0], 3)] },
      { cells: ["steering (rad)", fmt(f.control[1], 4)] },
      { cells: ["observed bodies", f.observed.length ? f.observed.map(function (id) { return "#" + id; }).join(" ") : "none"] }
    ]);
    fill("margin-table", f.margins.map(function (m) {
      return { cells: [m[0], fmt(m[1], 3)], negative: (finite(m[1]) && m[1] < 0) || m[1] === "-inf" };
    }));
    var rows = [];
    flatten(f.observation, "", rows);
    if (rows.length > maxRows) { rows = rows.slice(0, maxRows); rows.push({ cells: ["…", "more fields not shown"] }); }
    fill("observation-table", rows);
    var span = axis.t1 - axis.t0;
    var x = span > 0 ? axis.left + (f.t - axis.t0) / span * axis.width : axis.left;
    var cursors = document.querySelectorAll("line.cursor");
    for (var i = 0; i !== cursors.length; i += 1) {
      cursors[i].setAttribute("x1", x.toFixed(1));
      cursors[i].setAttribute("x2", x.toFixed(1));
    }
  }

  // Playback in simulated time, scaled by the speed selector.
  var playing = false, last = 0, simT = 0;
  function tick(now) {
    if (!playing) { return; }
    simT += (now - last) / 1000 * parseFloat(speed.value);
    last = now;
    var i = current;
    while (i + 1 < frames.length && frames[i + 1].t <= simT) { i += 1; }
    if (i !== current) { show(i); }
    if (current + 1 >= frames.length) { setPlaying(false); return; }
    window.requestAnimationFrame(tick);
  }
  function setPlaying(on) {
    playing = on && frames.length > 1;
    playButton.textContent = playing ? "❚❚ pause" : "▶ play";
    if (playing) {
      if (current + 1 >= frames.length) { show(0); }
      simT = frames[current].t;
      last = window.performance.now();
      window.requestAnimationFrame(tick);
    }
  }

  playButton.addEventListener("click", function () { setPlaying(!playing); });
  slider.addEventListener("input", function () { setPlaying(false); show(parseInt(slider.value, 10)); });
  document.getElementById("prev").addEventListener("click", function () { setPlaying(false); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { setPlaying(false); show(current + 1); });
  follow.addEventListener("change", function () { show(current); });
  var jump = document.getElementById("to-violation");
  if (jump) { jump.addEventListener("click", function () { setPlaying(false); show(data.violation_frame); }); }
  document.addEventListener("keydown", function (event) {
    if (event.target && (event.target.tagName === "SELECT" || event.target.tagName === "INPUT")) { return; }
    if (event.key === "ArrowLeft") { setPlaying(false); show(current - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { setPlaying(false); show(current + 1); event.preventDefault(); }
    if (event.key === " ") { setPlaying(!playing); event.preventDefault(); }
  });
  show(data.start);
}());
