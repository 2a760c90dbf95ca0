/* staffpages.js - what the brief and analyst pages share: who may see the page
 * (the signed-in role from /api/v1/session, against the least role the page's
 * API needs; the API refuses the others anyway), and the plain Leaflet map
 * they draw GeoJSON on (community area outlines, no tiles unless configured). */
'use strict';

const staffPages = (() => {
    const ROLES = ['public', 'partner', 'department', 'coordinator', 'analyst', 'admin'];

    /**
     * The session when its role is least or above; else null, with the
     * refusal shown in #refusal (the public is asked to sign in).
     */
    async function gate(least) {
        const who = await cscc.session();
        const rank = ROLES.indexOf(who.role || 'public');
        if (who.authenticated) staff.header(who, location.pathname.replace(/^\//, ''));
        if (rank >= ROLES.indexOf(least)) return who;
        const box = document.getElementById('refusal');
        const role = cscc.t('brief.role.' + least);
        box.replaceChildren(
            document.createTextNode(
                who.authenticated ? cscc.t('brief.refused', {role, yours: cscc.t('brief.role.' + who.role)}) : cscc.t('brief.sign_in_first', {role}) + ' '
            )
        );
        if (!who.authenticated) box.append(cscc.el('a', {href: cscc.link('/login', {next: location.pathname + location.search})}, [cscc.t('brief.sign_in')]));
        box.hidden = false;
        document.querySelectorAll('.needs-role').forEach((e) => {
            e.hidden = true;
        });
        return null;
    }

    /** A Leaflet map in div: no wheel zoom, tiles only when the server is configured with them. */
    function map(div) {
        const m = L.map(div, {zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true});
        m.attributionControl.setPrefix('');
        const tiles = cscc.settings && cscc.settings.tiles;
        if (tiles && tiles.url) L.tileLayer(tiles.url, {attribution: tiles.attribution || '', maxZoom: 18}).addTo(m);
        return m;
    }

    /** Community area outlines (features of /api/v1/areas?format=geojson), thin and unfilled. */
    function outlines(features) {
        return L.geoJSON({type: 'FeatureCollection', features}, {
            interactive: false,
            style: (f) => ({color: f.properties.priority ? '#000000' : '#6b6b6b', weight: f.properties.priority ? 2 : 1, fill: false}),
        });
    }

    return {ROLES, gate, map, outlines};
})();
