"""The web pages: server-rendered Swedish HTML (Jinja2) over the same services as the API.

Every form works without JavaScript; the map's JavaScript (Leaflet, from npm) is served by fcatlas
itself from ``node_modules`` — never from a CDN."""
