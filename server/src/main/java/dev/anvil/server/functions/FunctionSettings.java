package dev.anvil.server.functions;

import java.util.List;

import dev.anvil.server.config.Setting;

/** The function runtime: where it runs and the limits every invocation gets. */
public final class FunctionSettings {

    public static final Setting DENO_RUNTIME_URL = Setting.optional("DENO_RUNTIME_URL",
            "Function runtime to use instead of starting a local one, e.g. http://deno:7133 (a pod running Anvil's runtime host)");
    public static final Setting RUNTIME_TOKEN = Setting.optional("ANVIL_DENO_RUNTIME_TOKEN",
            "Shared secret for the control endpoints of the runtime at DENO_RUNTIME_URL (a local runtime gets a random one)");
    public static final Setting DENO_BIN = Setting.optional("ANVIL_DENO_BIN",
            "Deno binary for the local runtime (default: the one the build installs next to the jar, in target/deno)");
    public static final Setting TIMEOUT_MS = Setting.of("WORKER_TIMEOUT_MS", "60000",
            "Per-invocation timeout of a function in milliseconds; past it the caller gets 504 {error: \"Function timeout\"}");
    public static final Setting MEMORY_MB = Setting.of("ANVIL_FUNCTION_MEMORY_MB", "128",
            "Heap limit of each function worker in MiB (V8 old generation; ArrayBuffers are not counted)");
    public static final Setting CONCURRENCY = Setting.of("ANVIL_FUNCTION_CONCURRENCY", "64",
            "Invocations running at once in one function worker; more get 429");
    public static final Setting WORKERS = Setting.of("ANVIL_FUNCTION_WORKERS", "1",
            "Warm worker threads per function (each serves many concurrent invocations; more help CPU-bound functions)");
    public static final Setting MAX_RESPONSE_MB = Setting.of("ANVIL_FUNCTION_MAX_RESPONSE_MB", "32",
            "Largest response body a function may return, in MiB; larger ones get 502");
    public static final Setting IDLE_SECONDS = Setting.of("ANVIL_FUNCTION_IDLE_SECONDS", "600",
            "A function not invoked for this long gives its worker threads back (its next call starts one again)");
    public static final Setting RATE_LIMIT_WRITES = Setting.of("ANVIL_RATE_LIMIT_FUNCTION_WRITES", "60/60",
            "Function deploys, updates and deletes (POST/PUT/DELETE /api/functions) per client IP per window (max/windowSeconds; off disables)");
    public static final Setting DIRECT_PORT = Setting.of("ANVIL_FUNCTIONS_PORT", "7133",
            "Port on ANVIL_HOST where the local runtime serves every active function itself, without this server in between "
            + "(pass http://host:port as functionsUrl to the SDK's createClient); 0 = any free port, off = none. "
            + "A port in use is logged and retried. Not used with DENO_RUNTIME_URL");
    public static final Setting DIRECT_WORKERS = Setting.of("ANVIL_FUNCTIONS_PORT_WORKERS", "1",
            "Worker threads serving ANVIL_FUNCTIONS_PORT; each holds every active function (they share its isolate)");
    public static final Setting INTERNAL_URL = Setting.optional("ANVIL_INTERNAL_URL",
            "URL functions use to reach this server (their INSFORGE_INTERNAL_URL); default http://127.0.0.1:PORT");

    public static final List<Setting> ALL = List.of(RATE_LIMIT_WRITES, DENO_RUNTIME_URL, RUNTIME_TOKEN, DENO_BIN, TIMEOUT_MS, MEMORY_MB,
            CONCURRENCY, WORKERS, MAX_RESPONSE_MB, IDLE_SECONDS, DIRECT_PORT, DIRECT_WORKERS, INTERNAL_URL);

    private FunctionSettings() {
    }
}
