package dev.anvil.server.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.Json;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Functions that misbehave — never answer, hold the thread, exhaust their heap, answer too much,
 * try to reach the file system — get clear errors, and the runtime keeps serving the others.
 */
class FunctionFaultsTest {

    static TestServer server;
    static final ExecutorService BACKGROUND = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start("function_faults", Map.of(
                "WORKER_TIMEOUT_MS", "1500",
                "ANVIL_FUNCTION_MEMORY_MB", "64",
                "ANVIL_FUNCTION_MAX_RESPONSE_MB", "1",
                "ANVIL_FUNCTION_CONCURRENCY", "2",
                "ANVIL_FUNCTION_IDLE_SECONDS", "2"));
        deploy("steady", "module.exports = async () => new Response('steady')");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void deploy(String slug, String code) {
        HttpCall.Reply reply = server.post("/api/functions").header("x-api-key", server.apiKey())
                .json(Map.of("name", slug, "code", code)).send();
        assertThat(reply.json().path("deployment").path("status").asText()).as(reply.text()).isEqualTo("success");
    }

    static HttpCall.Reply call(String method, String path) {
        return server.call(method, path).send();
    }

    static void assertError(HttpCall.Reply reply, int status, String error) {
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.json()).isEqualTo(Json.mapper().valueToTree(Map.of("error", error)));
        assertThat(reply.header("access-control-allow-origin")).hasValue("*");
    }

    static void assertSteady() {
        assertThat(call("GET", "/functions/steady").text()).isEqualTo("steady");
    }

    /** Retries until the function answers 200 again (its worker is being replaced). */
    static HttpCall.Reply eventually200(Supplier<HttpCall.Reply> call) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpCall.Reply reply;
        do {
            reply = call.get();
        } while (reply.status() != 200 && System.nanoTime() < deadline);
        return reply;
    }

    @Test
    void badSlugsAndUnknownFunctions() {
        assertError(call("GET", "/functions/has%20space"), 400, "Invalid function slug \"has space\": use letters, digits, '-' and '_'");
        assertError(call("POST", "/functions/no-such-function"), 404, "Function not found or not active");
        assertThat(call("GET", "/functions/steady/extra").status()).isEqualTo(404);
    }

    @Test
    void anIdleFunctionGivesBackItsWorkerAndStillAnswersAfterwards() {
        deploy("napper", "module.exports = async () => new Response('awake')");
        assertThat(call("GET", "/functions/napper").text()).isEqualTo("awake");
        sleep(3_500); // idle for longer than ANVIL_FUNCTION_IDLE_SECONDS: the worker and its port are gone
        HttpCall.Reply again = call("GET", "/functions/napper");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.text()).isEqualTo("awake");
    }

    @Test
    void aFunctionThatNeverAnswersTimesOut() {
        deploy("never", "module.exports = () => new Promise(() => {})");
        long started = System.nanoTime();
        assertError(call("POST", "/functions/never"), 504, "Function timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertSteady();
    }

    @Test
    void aBusyLoopIsStoppedAndItsWorkerReplacedWhileOthersKeepServing() {
        deploy("spin", "module.exports = async (req) => { if (req.method === 'POST') { for (;;) {} } return new Response('alive'); }");
        CompletableFuture<HttpCall.Reply> spinning = CompletableFuture.supplyAsync(() -> call("POST", "/functions/spin"), BACKGROUND);
        sleep(300);
        assertSteady(); // another function, same runtime process, while one worker is stuck
        assertError(spinning.join(), 504, "Function timeout");
        assertThat(eventually200(() -> call("GET", "/functions/spin")).text()).isEqualTo("alive");
        assertSteady();
    }

    @Test
    void aFunctionThatExhaustsItsHeapLosesOnlyItsWorker() {
        deploy("hungry", "module.exports = async (req) => {"
                + " if (req.method === 'POST') { const hoard = []; for (;;) hoard.push(new Array(100000).fill(Math.random())); }"
                + " return new Response('fed'); }");
        long pid = server.anvil().functions().runtime().localPid().orElseThrow();
        HttpCall.Reply reply = call("POST", "/functions/hungry");
        assertThat(reply.status()).as(reply.text()).isIn(500, 502, 504);
        assertSteady();
        assertThat(eventually200(() -> call("GET", "/functions/hungry")).text()).isEqualTo("fed");
        assertThat(server.anvil().functions().runtime().localPid()).as("the runtime process survived").hasValue(pid);
    }

    @Test
    void aFunctionCannotForgeTheRuntimeHostsEvents() {
        // The host reports its port and recycles on the stdout functions can write to as well.
        deploy("forger", "module.exports = async () => {"
                + " console.log('{\"event\":\"listening\",\"port\":1}');"
                + " console.log('{\"event\":\"recycle\",\"reason\":\"forged\"}');"
                + " process.stdout.write('{\"event\":\"listening\",\"port\":1,\"tag\":\"\"}\\n');"
                + " return new Response('printed'); }");
        long pid = server.anvil().functions().runtime().localPid().orElseThrow();
        assertThat(call("POST", "/functions/forger").text()).isEqualTo("printed");

        // A forged "listening" would send this deploy to port 1; a forged "recycle" would replace the host.
        deploy("after-forgery", "module.exports = async () => new Response('still mine')");
        assertThat(call("GET", "/functions/after-forgery").text()).isEqualTo("still mine");
        assertSteady();
        assertThat(server.anvil().functions().runtime().localPid()).as("not recycled").hasValue(pid);
    }

    @Test
    void anOversizedResponseIsRefused() {
        deploy("big", "module.exports = async (req) => new Response(new Uint8Array(req.method === 'POST' ? 2 * 1024 * 1024 : 16))");
        assertError(call("POST", "/functions/big"), 502, "Function response is larger than the limit of 1048576 bytes");
        assertThat(call("GET", "/functions/big").bytes()).hasSize(16);
        assertSteady();
    }

    @Test
    void bytesStatusAndRepeatedHeadersPassThrough() {
        deploy("binary", "module.exports = async (req) => {"
                + " const body = new Uint8Array(await req.arrayBuffer());"
                + " const headers = new Headers({ 'Content-Type': 'application/octet-stream', 'X-Length': String(body.length) });"
                + " headers.append('Set-Cookie', 'a=1; Path=/'); headers.append('Set-Cookie', 'b=2; Path=/');"
                + " return new Response(body.reverse(), { status: 201, headers }); }");
        byte[] sent = new byte[256];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) i;
        }
        HttpCall.Reply reply = server.post("/functions/binary").body("application/octet-stream", sent).send();
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("x-length")).hasValue("256");
        assertThat(reply.headers().get("set-cookie")).containsExactlyInAnyOrder("a=1; Path=/", "b=2; Path=/");
        byte[] expected = new byte[256];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (255 - i);
        }
        assertThat(reply.bytes()).isEqualTo(expected);
    }

    @Test
    void invocationsBeyondTheConcurrencyLimitAreRefused() {
        deploy("slow", "module.exports = async () => { await new Promise((r) => setTimeout(r, 800)); return new Response('done'); }");
        List<CompletableFuture<HttpCall.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> call("GET", "/functions/slow"), BACKGROUND));
        }
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpCall.Reply::status).toList();
        assertThat(statuses).contains(200, 429);
        HttpCall.Reply refused = calls.stream().map(CompletableFuture::join).filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertThat(refused.json().path("error").asText()).isEqualTo("Too many concurrent invocations of slow (limit 2)");
    }

    @Test
    void functionsHaveNetworkButNoFileSystemSubprocessesOrHostEnvironment() {
        deploy("probe", """
                module.exports = async () => {
                  const attempt = async (what) => { try { await what(); return 'allowed'; } catch (e) { return e.name + ': ' + e.message; } };
                  const fs = await import('node:fs');
                  const cp = await import('node:child_process');
                  return Response.json({
                    readFile: await attempt(() => fs.readFileSync('/etc/hostname')),
                    writeFile: await attempt(() => fs.writeFileSync('/tmp/anvil-probe', 'x')),
                    spawn: await attempt(() => cp.execSync('id')),
                    denoCommand: await attempt(() => new Deno.Command('id')),
                    processEnv: Object.keys(process.env).join(','),
                    denoEnvToObject: JSON.stringify(Deno.env.toObject()),
                    network: await attempt(() => fetch(Deno.env.get('INSFORGE_INTERNAL_URL') + '/api/health').then((r) => r.json())),
                  });
                };""");
        JsonNode result = call("GET", "/functions/probe").json();
        assertThat(result.path("readFile").asText()).startsWith("NotCapable: Requires read access");
        assertThat(result.path("writeFile").asText()).startsWith("NotCapable: Requires write access");
        // node:child_process fails on its way to the spawn (it needs Deno APIs functions do not get).
        assertThat(result.path("spawn").asText()).isNotEqualTo("allowed");
        assertThat(result.path("denoCommand").asText()).isEqualTo("Error: Deno.Command is not available in functions");
        assertThat(result.path("processEnv").asText()).isEqualTo("NODE_ENV");
        assertThat(result.path("denoEnvToObject").asText()).as("secrets are read by name only").isEqualTo("{}");
        assertThat(result.path("network").asText()).isEqualTo("allowed");
    }

    @Test
    void withoutARuntimeFunctionsAreStoredAndCallsGetAClearError() {
        try (TestServer noDeno = TestServer.start("functions_no_runtime", Map.of("ANVIL_DENO_BIN", "/nonexistent/deno"))) {
            HttpCall.Reply created = noDeno.post("/api/functions").header("x-api-key", noDeno.apiKey())
                    .json(Map.of("name", "orphan", "code", "module.exports = async () => new Response('x')")).send();
            assertThat(created.status()).isEqualTo(201);
            JsonNode body = created.json();
            assertThat(body.path("success").asBoolean()).isFalse();
            assertThat(body.path("function").path("status").asText()).as("the code may be fine").isEqualTo("active");
            assertThat(body.path("deployment").path("buildLogs").get(0).asText()).contains("Function runtime unavailable")
                    .contains("/nonexistent/deno");
            assertThat(noDeno.get("/api/functions").header("x-api-key", noDeno.apiKey()).send().json()
                    .path("runtime").path("status").asText()).isEqualTo("unavailable");
            HttpCall.Reply invoked = noDeno.post("/functions/orphan").send();
            assertThat(invoked.status()).isEqualTo(502);
            assertThat(invoked.json().path("error").asText()).contains("/nonexistent/deno");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
