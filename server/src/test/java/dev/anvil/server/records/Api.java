package dev.anvil.server.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;

/** Terse records calls for tests: {@code api.get("films?select=id").bearer(key).send()}. */
final class Api {

    private final TestServer server;
    private final String credential;
    private final String prefix;

    Api(TestServer server, String credential) {
        this(server, credential, "/api/database/records/");
    }

    private Api(TestServer server, String credential, String prefix) {
        this.server = server;
        this.credential = credential;
        this.prefix = prefix;
    }

    /** The same calls as another caller. */
    Api as(String otherCredential) {
        return new Api(server, otherCredential, prefix);
    }

    /** Calls on {@code /api/database/rpc/}. */
    Api rpc() {
        return new Api(server, credential, "/api/database/rpc/");
    }

    HttpCall call(String method, String path) {
        HttpCall call = server.call(method, Urls.of(prefix + path));
        return credential == null ? call : call.bearer(credential);
    }

    HttpCall.Reply get(String path, String... headers) {
        return withHeaders(call("GET", path), headers).send();
    }

    HttpCall.Reply head(String path, String... headers) {
        return withHeaders(call("HEAD", path), headers).send();
    }

    HttpCall.Reply post(String path, String json, String... headers) {
        return withHeaders(call("POST", path), headers).json(json).send();
    }

    HttpCall.Reply patch(String path, String json, String... headers) {
        return withHeaders(call("PATCH", path), headers).json(json).send();
    }

    HttpCall.Reply put(String path, String json, String... headers) {
        return withHeaders(call("PUT", path), headers).json(json).send();
    }

    HttpCall.Reply delete(String path, String... headers) {
        return withHeaders(call("DELETE", path), headers).send();
    }

    private static HttpCall withHeaders(HttpCall call, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            call.header(headers[i], headers[i + 1]);
        }
        return call;
    }

    /** The values of one field over the rows of a JSON array reply, as text. */
    static List<String> column(HttpCall.Reply reply, String field) {
        assertThat(reply.status()).as(reply.toString()).isBetween(200, 299);
        List<String> values = new ArrayList<>();
        for (JsonNode row : reply.json()) {
            JsonNode value = row.get(field);
            values.add(value == null || value.isNull() ? null : value.isTextual() ? value.asText() : value.toString());
        }
        return values;
    }

    static List<String> list(String... values) {
        return Arrays.asList(values);
    }

    /** Asserts a PostgREST error body. */
    static void assertError(HttpCall.Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        JsonNode body = reply.json();
        assertThat(body.path("code").asText()).as(reply.toString()).isEqualTo(code);
        assertThat(body.has("message") && body.has("details") && body.has("hint")).as(reply.toString()).isTrue();
    }
}
