package dev.anvil.server.records;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.anvil.server.http.RequestBody;
import dev.anvil.server.records.parse.QueryString;
import dev.anvil.server.records.parse.RequestParser;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The glue between Helidon and the engine, shared by the InsForge routes and the PostgREST-wire
 * routes: a request's raw pieces in, an {@link EngineResponse} out, written byte for byte.
 */
final class HttpExchange {

    private HttpExchange() {
    }

    /** The request as the engine reads it; {@code profile} overrides the profile headers when set. */
    static RequestParser.RawRequest raw(ServerRequest req, boolean rpc, String name, String rawQuery, String profile) {
        String method = req.prologue().method().text();
        byte[] body = req.prologue().method() == Method.GET || req.prologue().method() == Method.HEAD
                ? new byte[0] : RequestBody.bytes(req);
        return new RequestParser.RawRequest(method, rpc, name, rawQuery, headers(req, profile), body);
    }

    static RequestParser.Headers headers(ServerRequest req, String profile) {
        io.helidon.http.Headers headers = req.headers();
        return new RequestParser.Headers() {
            @Override
            public List<String> all(String name) {
                if (profile != null && (name.equalsIgnoreCase("Accept-Profile") || name.equalsIgnoreCase("Content-Profile"))) {
                    return List.of(profile);
                }
                return headers.all(headerName(name), List::of);
            }

            @Override
            public String json() {
                // Written by hand: this runs on every request, and Jackson's tree costs several times more.
                StringBuilder out = new StringBuilder(512).append('{');
                boolean first = true;
                for (Header header : headers) {
                    String lower = header.headerName().lowerCase();
                    if (lower.equals("cookie") || (profile != null && lower.endsWith("-profile"))) {
                        continue;
                    }
                    first = JsonText.member(out, first, lower, header.valueCount() == 1 ? header.get()
                            : String.join(", ", header.allValues()));
                }
                if (profile != null) {
                    JsonText.member(out, first, req.prologue().method() == Method.GET
                            || req.prologue().method() == Method.HEAD ? "accept-profile" : "content-profile", profile);
                }
                return out.append('}').toString();
            }
        };
    }

    static void write(ServerResponse res, EngineResponse response) {
        res.status(Status.create(response.status()));
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            res.header(headerName(header.getKey()), header.getValue());
        }
        res.send(response.body());
    }

    /** Header names the engine uses on every request, created once. */
    private static final Map<String, HeaderName> KNOWN = knownHeaderNames();

    private static Map<String, HeaderName> knownHeaderNames() {
        Map<String, HeaderName> names = new java.util.HashMap<>();
        for (String name : List.of("Accept", "Accept-Profile", "Content-Profile", "Prefer", "Range", "Content-Type",
                "Content-Range", "Content-Location", "Location", "Preference-Applied", "WWW-Authenticate", "Allow")) {
            names.put(name, HeaderNames.create(name));
        }
        return Map.copyOf(names);
    }

    private static HeaderName headerName(String name) {
        HeaderName known = KNOWN.get(name);
        return known != null ? known : HeaderNames.create(name);
    }

    /** The raw query without InsForge's {@code schema} parameter, and that parameter's value (contract §3.2 step 2). */
    record SchemaSplit(String rawQuery, String schema) {
    }

    static SchemaSplit splitSchema(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new SchemaSplit("", null);
        }
        List<String> kept = new ArrayList<>();
        String schema = null;
        for (String part : rawQuery.split("&")) {
            int eq = part.indexOf('=');
            String key = QueryString.decode(eq < 0 ? part : part.substring(0, eq));
            if (key.equals("schema")) {
                if (schema == null && eq >= 0) {
                    schema = QueryString.decode(part.substring(eq + 1));
                }
            } else if (!part.isEmpty()) {
                kept.add(part);
            }
        }
        return new SchemaSplit(String.join("&", kept), schema == null || schema.isBlank() ? null : schema);
    }
}
