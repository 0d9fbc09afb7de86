package dev.anvil.operator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * /healthz (liveness: the informers are healthy), /readyz (readiness: the operator started —
 * a standby replica waiting for the leader lease is ready too) and /metrics (Prometheus text).
 */
public final class ProbeServer implements AutoCloseable {

    private final HttpServer server;

    public ProbeServer(int port, BooleanSupplier live, BooleanSupplier ready, Supplier<String> metrics) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("probe port " + port, e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", exchange -> respond(exchange, live.getAsBoolean() ? 200 : 503, live.getAsBoolean() ? "ok" : "informers unhealthy"));
        server.createContext("/readyz", exchange -> respond(exchange, ready.getAsBoolean() ? 200 : 503, ready.getAsBoolean() ? "ok" : "starting"));
        server.createContext("/metrics", exchange -> respond(exchange, 200, metrics.get()));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
