/* fcatlas karta: Leaflet utan bakgrundskarta – datapaketets egna gränser, enheterna från sidan. */
(function () {
  "use strict";
  var el = document.getElementById("karta");
  if (!el || !window.L) { return; }
  var COLOURS = { familjecentral: "#0072B2", familjecentralsliknande: "#009E73", annan_samverkan: "#CC79A7" };
  var TYPE_COLOURS = { 1: "#d7191c", 2: "#fdae61", 3: "#ffffbf", 4: "#abd9e9", 5: "#2c7bb6" };
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true, keyboard: true }).setView([62.5, 16.5], 4.5);
  map.attributionControl.setPrefix(false).addAttribution("Gränser: SCB");
  // kommun and län borders: lines over the areas, under the units, never clickable
  map.createPane("granser");
  map.getPane("granser").style.zIndex = 450;
  map.getPane("granser").style.pointerEvents = "none";
  var BORDER_STYLES = {
    kommun: { color: "#3f4a52", weight: 1.5, dashArray: "6 4", className: "grans grans-kommun" },
    lan: { color: "#0b0c0c", weight: 3, dashArray: "14 6 3 6", className: "grans grans-lan" }
  };

  function shape(cat, planned) {
    var c = COLOURS[cat] || "#333", fill = planned ? "#ffffff" : c, s = 'stroke="#0b0c0c" stroke-width="1.5"';
    if (planned) { s = 'stroke="' + c + '" stroke-width="3"'; }
    if (cat === "familjecentralsliknande") { return '<svg width="18" height="18" viewBox="0 0 18 18"><polygon points="9,1 17,16 1,16" fill="' + fill + '" ' + s + '/></svg>'; }
    if (cat === "annan_samverkan") { return '<svg width="16" height="16" viewBox="0 0 16 16"><polygon points="8,1 15,8 8,15 1,8" fill="' + fill + '" ' + s + '/></svg>'; }
    return '<svg width="16" height="16" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6.5" fill="' + fill + '" ' + s + '/></svg>';
  }
  function esc(t) { return String(t == null ? "" : t).replace(/[&<>"]/g, function (ch) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]; }); }

  var units = JSON.parse(document.getElementById("enheter").textContent);
  var unitsUrl = el.getAttribute("data-enheter-url");  // a large selection: the units come separately
  var layer = L.geoJSON(null, {
    pointToLayer: function (f, latlng) {
      var p = f.properties, planned = p.status === "planerad" || p.status === "avsiktsforklaring";
      var icon = L.divIcon({ className: "unit-marker", html: shape(p.category, planned), iconSize: [18, 18], iconAnchor: [9, 9] });
      return L.marker(latlng, { icon: icon, keyboard: true, title: p.name, alt: p.name + ", " + p.category_label + ", " + p.status_label });
    },
    onEachFeature: function (f, lyr) {
      var p = f.properties;
      lyr.bindPopup('<strong>' + esc(p.name) + '</strong><br>' + esc(p.category_label) + ', ' + esc(p.status_label).toLowerCase() +
                    '<br>' + esc(p.kommun) + '<br><a href="/enhet/' + encodeURIComponent(p.id) + '">Enhetskort</a>');
    }
  });
  function addUnits(doc) {
    units = doc || units;
    layer.addData(units);
    el.setAttribute("data-enheter", String(units.features.length));
  }
  var unitsReady = unitsUrl ? fetch(unitsUrl).then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; }) : Promise.resolve(null);

  var bounds = null;
  var lanCode = el.getAttribute("data-lan");
  var borders = fetch("/api/v1/borders?format=geojson" + (lanCode ? "&lan=" + encodeURIComponent(lanCode) : ""))
    .then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  fetch("/karta/lan.geojson").then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
    if (!g) { return; }
    var lan = el.getAttribute("data-lan");
    var borders = L.geoJSON(g, { style: function (f) {
      return { color: "#b1b4b6", weight: 1, fill: true, fillColor: "#ffffff", fillOpacity: 0.9 }; },
      interactive: false }).addTo(map);
    var chosen = L.geoJSON(g, { filter: function (f) { return f.properties.lan_code === lan; } });
    bounds = lan && chosen.getLayers().length ? chosen.getBounds() : borders.getBounds();
    var year = el.getAttribute("data-ar");
    return lan ? fetch("/api/v1/areas?format=geojson&lan=" + encodeURIComponent(lan) + (year ? "&year=" + encodeURIComponent(year) : "")) : null;
  }).then(function (r) { return r && r.ok ? r.json() : null; }).then(function (areas) {
    if (areas) {
      // the page names the areas the filter selects (the same rule as the table) and which are exclusion areas
      var chosen = JSON.parse((document.getElementById("omraden") || {}).textContent || "{}");
      var drawn = L.geoJSON(areas, {
        filter: function (f) { return f.geometry && Object.prototype.hasOwnProperty.call(chosen, f.properties.regso_code); },
        style: function (f) {
          var p = f.properties, excl = chosen[p.regso_code] === 1;
          return { color: excl ? "#0b0c0c" : "#6f777b", weight: excl ? 3 : 0.5, fillColor: TYPE_COLOURS[p.omradestyp] || "#e0e0e0", fillOpacity: 0.75 };
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          lyr.bindPopup('<strong>' + esc(p.name || p.regso_code) + '</strong><br>Områdestyp ' + esc(p.omradestyp) +
                        (chosen[p.regso_code] === 1 ? '<br>Stort utanförskap' : '') +
                        '<br><a href="/omrade/' + encodeURIComponent(p.regso_code) + '">Områdeskort</a>');
        }
      }).addTo(map);
      // exclusion areas stay visible at county zoom: a black ring at each one's centre, whatever its size
      drawn.eachLayer(function (lyr) {
        if (chosen[lyr.feature.properties.regso_code] === 1) {
          L.circleMarker(lyr.getBounds().getCenter(), { radius: 5, color: "#0b0c0c", weight: 2.5, fill: false,
            interactive: false, className: "excl-ring" }).addTo(map);
        }
      });
      // keyboard: every drawn area is a link to its card (Tab to it, Enter opens the card)
      drawn.eachLayer(function (lyr) {
        var p = lyr.feature.properties, node = lyr.getElement && lyr.getElement();
        if (!node) { return; }
        var href = "/omrade/" + encodeURIComponent(p.regso_code);
        node.setAttribute("tabindex", "0");
        node.setAttribute("role", "link");
        node.setAttribute("data-regso", p.regso_code);
        // (the name avoids the filter labels' words, so "Områdestyp" etc. still find one field each)
        node.setAttribute("aria-label", (p.name || p.regso_code) + ", typ " + (p.omradestyp || "saknas") +
                          (chosen[p.regso_code] === 1 ? ", stort utanförskap" : "") + " – öppna områdeskortet");
        node.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter") { ev.preventDefault(); window.location.href = href; }
        });
        // a focused area is not hidden under a marker: the markers and rings fade while it has focus
        // (the path is not moved to the front: moving a focused node would drop its focus)
        node.addEventListener("focus", function () { el.classList.add("omrade-fokus"); });
        node.addEventListener("blur", function () { el.classList.remove("omrade-fokus"); });
      });
      if (drawn.getLayers().length) { bounds = drawn.getBounds(); }  // zoom to the selected areas
      el.setAttribute("data-omraden", String(Object.keys(chosen).length));
      el.setAttribute("data-ritade-omraden", String(drawn.getLayers().length));
    }
  }).catch(function () { /* kartan fungerar utan områdeslagret */ }).then(function () {
    return borders;
  }).then(function (g) {
    if (g) {
      var kinds = { kommun: 0, lan: 0 };
      // kommun lines first, the län on top of them
      ["kommun", "lan"].forEach(function (kind) {
        L.geoJSON(g, {
          pane: "granser", interactive: false,
          filter: function (f) { return f.geometry && f.properties.kind === kind; },
          style: function () { return BORDER_STYLES[kind]; },
          onEachFeature: function () { kinds[kind] += 1; }
        }).addTo(map);
      });
      el.setAttribute("data-kommungranser", String(kinds.kommun));
      el.setAttribute("data-lansgranser", String(kinds.lan));
    }
  }).catch(function () { /* kartan fungerar utan gränslagret */ }).then(function () {
    return unitsReady;
  }).then(function (doc) {
    addUnits(doc);
    layer.addTo(map);
    if (units.features.length && el.getAttribute("data-lan") === "" && !bounds) { bounds = layer.getBounds(); }
    if (bounds) { map.fitBounds(bounds, { padding: [10, 10] }); }
    el.setAttribute("data-klar", "1");
  });
})();
